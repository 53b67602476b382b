package dev.sentiflow.deploy.local;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.deploy.tail.RecordLines;
import dev.sentiflow.deploy.tail.TailStream;
import dev.sentiflow.deploy.tail.TopicFollower;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches the running stack: a {@link StatusLine} every few seconds, and one line for each event
 * worth a person's attention as it happens: a training round's outcome ({@code training.metrics}
 * ROUND records) and a promotion or rollback ({@code metrics.live} records with a decision).
 * This is the hook for the trainer's and inference's own displays: they print through
 * {@link #event} once those services write their topics.
 */
final class StatusMonitor implements AutoCloseable {

    private static final Duration EVERY = Duration.ofSeconds(5);
    private static final List<String> COUNTED = List.of(Topics.REVIEWS_TOKENIZED, Topics.REVIEWS_DLQ,
            Topics.PREDICTIONS, Topics.TRAINING_METRICS, Topics.LIVE_METRICS);

    private final SchemaRegistryClient registry;
    private final PrintStream out;
    private final ReviewStreamer streamer;
    private final String ingestGroup;
    private final long started = System.nanoTime();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "local-status"));
    private final TopicFollower follower;
    private final Admin admin;
    private Thread reader;
    private volatile boolean closing;

    StatusMonitor(Map<String, Object> clientSettings, SchemaRegistryClient registry, PrintStream out,
                  ReviewStreamer streamer, String ingestGroup) {
        this.registry = registry;
        this.out = out;
        this.streamer = streamer;
        this.ingestGroup = ingestGroup;
        this.follower = new TopicFollower(clientSettings);
        this.admin = Admin.create(clientSettings);
        COUNTED.forEach(t -> counts.put(t, new AtomicLong()));
    }

    void start() {
        AvroDeserializer<SpecificRecord> metrics = TailStream.METRICS.deserializer(registry);
        AvroDeserializer<SpecificRecord> live = TailStream.LIVE.deserializer(registry);
        reader = daemon(() -> follower.follow(COUNTED, true, record -> {
            counts.get(record.topic()).incrementAndGet();
            event(record, metrics, live);
            return true;
        }), "local-topic-reader");
        reader.start();
        ticker.scheduleAtFixedRate(this::printStatus, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Prints a ROUND record or a live decision as it arrives. */
    private void event(ConsumerRecord<byte[], byte[]> record, AvroDeserializer<SpecificRecord> metrics,
                       AvroDeserializer<SpecificRecord> live) {
        try {
            if (record.topic().equals(Topics.TRAINING_METRICS)) {
                TrainingMetrics m = (TrainingMetrics) metrics.deserialize(record.topic(), record.value());
                if (m.getScope() == MetricsScope.ROUND) {
                    out.println("local: " + RecordLines.trainingMetrics(m));
                }
            } else if (record.topic().equals(Topics.LIVE_METRICS)) {
                LiveMetrics m = (LiveMetrics) live.deserialize(record.topic(), record.value());
                if (m.getDecision() != null) {
                    out.println("local: " + RecordLines.liveMetrics(m));
                }
            }
        } catch (RuntimeException e) {
            out.println("local: cannot decode " + record.topic() + "[" + record.partition() + "]@" + record.offset()
                    + ": " + e.getMessage());
        }
    }

    StatusLine snapshot() throws Exception {
        List<TopicPartition> partitions = admin.describeTopics(List.of(Topics.REVIEWS)).allTopicNames()
                .get(10, TimeUnit.SECONDS).get(Topics.REVIEWS).partitions().stream()
                .map(p -> new TopicPartition(Topics.REVIEWS, p.partition())).toList();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get(10, TimeUnit.SECONDS);
        long reviews = ends.values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(ingestGroup)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        long lag = -1;
        if (partitions.stream().anyMatch(p -> committed.get(p) != null)) {
            lag = partitions.stream().mapToLong(p -> ends.get(p).offset()
                    - (committed.get(p) == null ? 0 : committed.get(p).offset())).sum();
        }
        return new StatusLine(Duration.ofNanos(System.nanoTime() - started), streamer.acked(), streamer.total(), reviews,
                counts.get(Topics.REVIEWS_TOKENIZED).get(), counts.get(Topics.REVIEWS_DLQ).get(),
                counts.get(Topics.PREDICTIONS).get(), lag);
    }

    private void printStatus() {
        try {
            out.println(snapshot());
        } catch (Exception e) {
            if (!closing) { // an interrupted snapshot at shutdown is no news
                out.println("local: status unavailable: " + e);
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        ticker.shutdownNow();
        follower.stop();
        follower.close();
        admin.close(Duration.ofSeconds(5));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
