package dev.sentiflow.deploy.report;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.live.RolloutLedger;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.registry.SchemaRegistryException;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.RecordDecoder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds a {@link ReportData} from a cluster: reads {@code training.metrics}, {@code metrics.live},
 * {@code predictions} and {@code models} once from start to end ({@code read_committed}, Avro
 * decoded through the registry as {@code tail} does) and folds them. A missing topic, an
 * undecodable record or a read cut short by the deadline becomes a note in the report, not a
 * failure; a broker that does not answer is one.
 */
public final class ReportCollector {

    /** Throughput and latency are drawn in at most this many time buckets. */
    static final int TRAFFIC_BUCKETS = 60;
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private final Map<String, Object> kafka;
    private final SchemaRegistryClient registry;
    private final String source;
    private final Duration timeout;

    /**
     * @param kafka client settings (bootstrap servers, security)
     * @param source where the data comes from, for the report's header
     * @param timeout the longest a topic is read for; the report then shows what was read by then
     */
    public ReportCollector(Map<String, Object> kafka, SchemaRegistryClient registry, String source, Duration timeout) {
        this.kafka = kafka;
        this.registry = registry;
        this.source = source;
        this.timeout = timeout;
    }

    public ReportData collect() {
        List<String> notes = new ArrayList<>();
        TrainingFold training = new TrainingFold();
        PredictionFold predictions = new PredictionFold();
        ModelsFold models = new ModelsFold();
        List<LivePoint> live = new ArrayList<>();
        // Decisions as inference applies them: the first committed one per version and kind; later proposals are not shown.
        RolloutLedger decisions = new RolloutLedger();
        try (TopicReader reader = new TopicReader(kafka, timeout)) {
            read(reader, Topics.TRAINING_METRICS, TrainingMetrics.getClassSchema(),
                    r -> training.add((TrainingMetrics) r), notes);
            read(reader, Topics.LIVE_METRICS, LiveMetrics.getClassSchema(), r -> {
                        LiveMetrics m = (LiveMetrics) r;
                        if (m.getAction() == null || decisions.take(m).isPresent()) {
                            live.add(LivePoint.of(m));
                        }
                    },
                    notes);
            read(reader, Topics.PREDICTIONS, Prediction.getClassSchema(), r -> predictions.add((Prediction) r), notes);
            read(reader, Topics.MODELS, ModelCheckpoint.getClassSchema(), r -> models.add((ModelCheckpoint) r), notes);
        }
        List<String> labels = predictions.labels(models.newestLabels().orElse(List.of()));
        return new ReportData(Instant.now(), source, training.curves(), training.rounds(), predictions.scores(labels),
                predictions.confusions(labels), predictions.traffic(TRAFFIC_BUCKETS), live, models.versions(),
                predictions.predictions(), predictions.labeled(), notes, TestScores.NONE);
    }

    private void read(TopicReader reader, String topic, Schema schema, Consumer<SpecificRecord> fold, List<String> notes) {
        AvroDeserializer<SpecificRecord> decoder = new AvroDeserializer<>(registry, schema);
        long[] failed = {0};
        String[] firstFailure = {null};
        TopicReader.Read read = reader.readAll(topic, record -> {
            if (record.value() == null) {
                return; // a tombstone (models is compacted)
            }
            try {
                fold.accept(decoder.deserialize(topic, record.value()));
            } catch (SchemaRegistryException e) {
                if (!RecordDecoder.isRecordsFault(e)) {
                    // Not this record's fault: every record after it would wait for the registry as long.
                    throw new IllegalStateException("cannot read " + topic + ": the schema registry "
                            + (e instanceof RegistryUnavailableException ? "does not answer" : "refuses the lookup")
                            + " (" + e.getMessage() + ")", e);
                }
                if (failed[0]++ == 0) {
                    firstFailure[0] = topic + "[" + record.partition() + "]@" + record.offset() + ": " + e.getMessage();
                }
            } catch (RuntimeException e) {
                if (failed[0]++ == 0) {
                    firstFailure[0] = topic + "[" + record.partition() + "]@" + record.offset() + ": " + e.getMessage();
                }
            }
        });
        if (!read.exists()) {
            notes.add("topic " + topic + " does not exist");
        }
        if (!read.complete()) {
            notes.add(String.format(Locale.ROOT, "topic %s was read for %d s only (%d records); the report shows those",
                    topic, timeout.toSeconds(), read.records()));
        }
        if (failed[0] > 0) {
            notes.add(failed[0] + " record(s) of " + topic + " could not be read and are left out; the first: "
                    + firstFailure[0]);
        }
    }
}
