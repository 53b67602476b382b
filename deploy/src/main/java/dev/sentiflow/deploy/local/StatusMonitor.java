package dev.sentiflow.deploy.local;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.deploy.tail.RecordLines;
import dev.sentiflow.deploy.tail.TailStream;
import dev.sentiflow.deploy.tail.TopicFollower;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.live.LiveView;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.trainer.metrics.RoundProgress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Watches the running stack: a {@link StatusLine} every few seconds (throughput, lags, the version
 * each model serves with its live accuracy (all inference tasks added up), the running round's progress bar from the trainer's
 * log), and one line for each event worth a person's attention as it happens: a round's outcome
 * ({@code training.metrics} ROUND records, a refusal with the gate's reason), a hot swap (the first
 * prediction that names a newer version) and a promotion or rollback ({@code metrics.live} records
 * with a decision).
 */
final class StatusMonitor implements AutoCloseable {

    private static final Duration EVERY = Duration.ofSeconds(5);
    private static final List<String> COUNTED = List.of(Topics.REVIEWS_TOKENIZED, Topics.REVIEWS_DLQ,
            Topics.PREDICTIONS, Topics.PREDICTIONS_DLQ, Topics.TRAINING_METRICS, Topics.LIVE_METRICS);

    private final SchemaRegistryClient registry;
    private final PrintStream out;
    private final ReviewStreamer streamer;
    private final TrainerLogWatcher trainerLog;
    private final java.util.Set<String> undecodable = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> servingVersion = new ConcurrentHashMap<>();
    /** Versions inference's log says it serves: newer than the predictions show while no traffic follows a swap. */
    private final Map<String, Long> swappedTo = new ConcurrentHashMap<>();
    /** Guarded by itself: the reader thread adds windows, the ticker reads them. */
    private final LiveView live = new LiveView();
    /** Only the decision that counts is shown: a later proposal on the same version is inference's duplicate. */
    private final dev.sentiflow.schemas.live.RolloutLedger decisions = new dev.sentiflow.schemas.live.RolloutLedger();
    private volatile Optional<RoundProgress> progressAtLastRound = Optional.empty();
    private long lastPredictions;
    private double lastPerSecond;
    private String lastPrinted = "";
    private long lastTickNanos = System.nanoTime();
    private final long started = System.nanoTime();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "local-status"));
    private final TopicFollower follower;
    private Thread reader;
    private volatile boolean closing;

    StatusMonitor(Map<String, Object> clientSettings, SchemaRegistryClient registry, PrintStream out,
                  ReviewStreamer streamer, java.nio.file.Path trainerLogFile) {
        this.registry = registry;
        this.out = out;
        this.streamer = streamer;
        this.trainerLog = new TrainerLogWatcher(trainerLogFile);
        this.follower = new TopicFollower(clientSettings);
        COUNTED.forEach(t -> counts.put(t, new AtomicLong()));
    }

    void start() {
        AvroDeserializer<SpecificRecord> metrics = TailStream.METRICS.deserializer(registry);
        AvroDeserializer<SpecificRecord> liveMetrics = TailStream.LIVE.deserializer(registry);
        AvroDeserializer<SpecificRecord> predictions = TailStream.PREDICTIONS.deserializer(registry);
        reader = daemon(() -> follower.follow(COUNTED, true, record -> {
            counts.get(record.topic()).incrementAndGet();
            event(record, metrics, liveMetrics, predictions);
            return true;
        }), "local-topic-reader");
        reader.start();
        ticker.scheduleAtFixedRate(this::printStatus, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Prints a round's outcome, a hot swap or a live decision as it arrives; keeps what the status line shows. */
    private void event(ConsumerRecord<byte[], byte[]> record, AvroDeserializer<SpecificRecord> metrics,
                       AvroDeserializer<SpecificRecord> liveMetrics, AvroDeserializer<SpecificRecord> predictions) {
        if (record.value() == null) {
            return;
        }
        try {
            if (record.topic().equals(Topics.TRAINING_METRICS)) {
                TrainingMetrics m = (TrainingMetrics) metrics.deserialize(record.topic(), record.value());
                if (m.getScope() == MetricsScope.ROUND) {
                    progressAtLastRound = trainerLog.latest();
                    out.println("local: " + RoundLine.of(m));
                }
            } else if (record.topic().equals(Topics.LIVE_METRICS)) {
                LiveMetrics m = (LiveMetrics) liveMetrics.deserialize(record.topic(), record.value());
                synchronized (live) {
                    live.add(m);
                }
                boolean counts;
                synchronized (decisions) {
                    counts = m.getAction() != null && decisions.take(m).isPresent();
                }
                if (counts) {
                    out.println("local: " + RecordLines.liveMetrics(m));
                }
            } else if (record.topic().equals(Topics.PREDICTIONS)) {
                Prediction p = (Prediction) predictions.deserialize(record.topic(), record.value());
                Long before = servingVersion.get(p.getModelName());
                if (before == null || p.getModelVersion() > before) {
                    servingVersion.put(p.getModelName(), p.getModelVersion());
                    // The swap itself has its own line, from inference's log; this is when traffic meets it.
                    out.println("local: " + (before == null ? "first predictions: model " + p.getModelName()
                            + " serves v" + p.getModelVersion() : "first predictions by " + p.getModelName() + " v"
                            + p.getModelVersion() + " (before: v" + before + ")"));
                }
            }
        } catch (RuntimeException e) {
            // Once per topic: after a child's death the registry may be gone, and every record would say so.
            if (!closing && undecodable.add(record.topic())) {
                out.println("local: cannot decode " + record.topic() + "[" + record.partition() + "]@"
                        + record.offset() + ": " + e.getMessage() + " (further failures on this topic not shown)");
            }
        }
    }

    StatusLine snapshot() {
        // Lags in records, from the counts: end offsets of a transactional topic also count one commit
        // marker per transaction (ingest commits every 100 ms), which overstated lags by half.
        long tokenized = counts.get(Topics.REVIEWS_TOKENIZED).get();
        long reviewsDlq = counts.get(Topics.REVIEWS_DLQ).get();
        long predictionsDlq = counts.get(Topics.PREDICTIONS_DLQ).get();
        long now = System.nanoTime();
        long scored = counts.get(Topics.PREDICTIONS).get();
        long reviewsLag = Math.max(0, streamer.acked() - tokenized - reviewsDlq);
        long inferenceLag = Math.max(0, tokenized - scored - predictionsDlq);
        // A line printed right after the last (the one at the stop) keeps the last rate: a fraction of a
        // second measures nothing.
        if (now - lastTickNanos >= 1_000_000_000L) {
            lastPerSecond = (scored - lastPredictions) / ((now - lastTickNanos) / 1e9);
            lastPredictions = scored;
            lastTickNanos = now;
        }
        double perSecond = lastPerSecond;
        Map<String, StatusLine.Serving> serving = new java.util.HashMap<>();
        Map<String, Long> versions = new java.util.HashMap<>(servingVersion);
        swappedTo.forEach((model, version) -> versions.merge(model, version, Math::max));
        versions.forEach((model, version) -> {
            List<LiveView.Combined> windows;
            synchronized (live) {
                windows = live.versions(model);
            }
            Optional<LiveView.Combined> current = windows.stream().filter(c -> c.version() == version).findFirst();
            List<StatusLine.Earlier> earlier = windows.stream().filter(c -> c.version() < version)
                    .sorted(java.util.Comparator.comparingLong(LiveView.Combined::version).reversed())
                    .map(c -> new StatusLine.Earlier(c.version(), c.accuracy(), c.labeledCount())).toList();
            serving.put(model, new StatusLine.Serving(version, current.map(LiveView.Combined::accuracy).orElse(0.0),
                    current.map(LiveView.Combined::labeledCount).orElse(0L), earlier));
        });
        Optional<RoundProgress> progress = trainerLog.latest(now);
        if (progress.equals(progressAtLastRound)) {
            progress = Optional.empty(); // that round has ended; the next one logs a new line at its start
        }
        progress = progress.map(p -> new RoundProgress(p.model(), p.version(), p.epoch(), p.epochs(), p.step(),
                p.totalSteps(), p.loss(), trainerLog.etaSecondsNow(p, now)));
        return new StatusLine(Duration.ofNanos(now - started), streamer.acked(), streamer.total(), streamer.pass(),
                tokenized, reviewsLag, reviewsDlq + predictionsDlq, scored,
                perSecond, inferenceLag, serving, progress);
    }

    /** Inference swapped {@code model} to {@code version} (its log said so): the status line names it from now on. */
    void swapped(String model, long version) {
        swappedTo.merge(model, version, Math::max);
    }

    /** Whether inference has reported live accuracy of this version (or a later one) of any model. */
    boolean liveAccuracyOf(long version) {
        synchronized (live) {
            return live.scoredAny(version);
        }
    }

    /**
     * The status line where the run ended, unless the periodic one just said the same: a swap and its
     * first live accuracy can land in the second after a periodic line, which then names the old version.
     */
    synchronized void printFinalStatus() {
        print(false);
    }

    synchronized void printStatus() {
        print(true);
    }

    private void print(boolean evenIfUnchanged) {
        try {
            String now = snapshot().toString();
            if (evenIfUnchanged || !now.equals(lastPrinted)) {
                lastPrinted = now;
                out.println(now);
            }
        } catch (Exception e) {
            if (!closing) { // an interrupted snapshot at shutdown is no news
                out.println("local: status unavailable: " + e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closing) {
            return; // closed at the run's end already
        }
        closing = true;
        ticker.shutdownNow();
        follower.stop();
        follower.close();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
