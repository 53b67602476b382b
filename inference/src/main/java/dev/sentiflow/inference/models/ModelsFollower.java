package dev.sentiflow.inference.models;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.schemas.failure.Backoff;
import dev.sentiflow.schemas.registry.RegistryConfigurationException;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.serde.RecordDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@code models} topic on its own thread with its own consumer: {@code read_committed}
 * (a checkpoint is whole or invisible), every partition assigned directly, no consumer group (each
 * instance needs every model, and nothing here is committed), from the beginning at start. Records
 * go to the {@link CheckpointIntake}. Not a GlobalKTable: that would keep every chunk in a state
 * store, while only the newest version of each model is needed, in memory, as arrays.
 *
 * <p>With {@link Decisions}, the same consumer follows the live-metrics topic too, from its beginning,
 * and hands each committed rollout decision to the intake's {@link
 * dev.sentiflow.inference.rollout.RolloutApplier}: checkpoints and decisions together say what is
 * served, and one thread applying both keeps them in one order.
 *
 * <p>{@link #awaitCaughtUp} says when everything committed before start was read, so the app can
 * load the newest valid version of each model, as decided, before it scores anything.
 */
public final class ModelsFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelsFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /** The live-metrics topic, where rollout decisions are committed. */
    public record Decisions(String topic, RecordDecoder<LiveMetrics> values) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Optional<Decisions> decisions;
    private long undecodableDecisions;
    private final RecordDecoder<ModelCheckpoint> values;
    private final CheckpointIntake intake;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private final Backoff backoff = new Backoff();
    private final CompletableFuture<String> failed = new CompletableFuture<>();

    /**
     * @param clientSettings bootstrap servers and any client overrides; isolation level, offset reset
     *     and auto-commit are set here because correctness depends on them
     */
    public ModelsFollower(Map<String, Object> clientSettings, String topic, RecordDecoder<ModelCheckpoint> values,
            CheckpointIntake intake, Optional<Decisions> decisions) {
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "sentiflow-inference-models");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.decisions = decisions;
        this.values = values;
        this.intake = intake;
        this.thread = new Thread(this::run, "sentiflow-models-follower");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Completes with a one-line reason when the follower stopped for good on something retrying cannot
     * fix (refused credentials or authorization, a registry that refuses us, a bug); the app must stop,
     * since it would otherwise serve stale versions without saying so.
     */
    public CompletableFuture<String> failed() {
        return failed;
    }

    /** True once every record committed to the topic before start has been read (and loaded or refused). */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            Map<TopicPartition, Long> startEnd = null;
            while (running) {
                try {
                    if (startEnd == null) {
                        List<TopicPartition> partitions = assignAll();
                        consumer.seekToBeginning(partitions);
                        // Under read_committed these are the last stable offsets: exactly what committed before now.
                        startEnd = consumer.endOffsets(partitions);
                        LOG.info("following {} from the beginning ({} partitions); catching up to {}",
                                decisions.isPresent() ? topic + " and " + decisions.get().topic() : topic,
                                partitions.size(), startEnd.values());
                    }
                    follow(startEnd);
                } catch (WakeupException e) {
                    if (running) {
                        fail("woken up unexpectedly", e);
                    }
                    return;
                } catch (RuntimeException e) {
                    if (permanent(e)) {
                        fail(e.toString(), e);
                        return;
                    }
                    Duration wait = backoff.onFailure(System.nanoTime());
                    LOG.warn("models follower: {}; retrying in {} ms (the versions loaded so far keep serving)",
                            e.toString(), wait.toMillis());
                    sleepQuietly(wait);
                }
            }
        } catch (Error e) {
            fail(e.toString(), e); // else the app would serve what it has for good, never reading on
            throw e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void follow(Map<TopicPartition, Long> startEnd) {
        checkCaughtUp(startEnd);
        while (running) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            boolean backedOff = false;
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> batch = records.records(tp);
                if (backedOff) {
                    consumer.seek(tp, batch.get(0).offset()); // fetched but not handled: read again
                } else {
                    backedOff = !handle(tp, batch);
                }
            }
            checkCaughtUp(startEnd);
        }
    }

    /** Retrying cannot fix it: credentials, authorization, a registry that refuses us, or not Kafka's at all. */
    static boolean permanent(RuntimeException e) {
        if (e instanceof AuthenticationException || e instanceof AuthorizationException
                || e instanceof RegistryConfigurationException) {
            return true;
        }
        return !(e instanceof KafkaException || e instanceof RegistryUnavailableException);
    }

    private void fail(String reason, Throwable cause) {
        LOG.error("models follower stopped: {}; new versions can no longer be taken, so the app stops", reason,
                cause);
        failed.complete("the models follower stopped: " + reason);
    }

    /** @return false when it backed off (the registry was unreachable) and the partition was rewound */
    private boolean handle(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
        boolean decisionRecords = decisions.isPresent() && tp.topic().equals(decisions.get().topic());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String source = tp + "@" + record.offset();
            try {
                if (decisionRecords) {
                    takeDecision(record, source);
                } else {
                    takeChunk(record, source);
                }
            } catch (RegistryUnavailableException e) {
                // The registry being down is not the record's fault: read it again after a back-off (1 s doubling).
                Duration wait = backoff.onFailure(System.nanoTime());
                LOG.warn("cannot reach the schema registry for {}: {}; retrying in {} ms", source, e.getMessage(),
                        wait.toMillis());
                consumer.seek(tp, record.offset());
                sleepQuietly(wait);
                return false;
            }
        }
        return true;
    }

    private void takeChunk(ConsumerRecord<byte[], byte[]> record, String source) {
        ModelCheckpoint chunk = null;
        if (record.value() != null) {
            RecordDecoder.Decoded<ModelCheckpoint> decoded = values.decode(topic, record.value());
            if (decoded instanceof RecordDecoder.Bad<ModelCheckpoint> bad) {
                intake.undecodable(source, bad.detail());
                return;
            }
            chunk = ((RecordDecoder.Ok<ModelCheckpoint>) decoded).value();
        }
        try {
            intake.accept(chunk, source);
        } catch (RuntimeException e) {
            LOG.error("unexpected failure on the checkpoint record at {}; skipped it", source, e);
        }
    }

    private void takeDecision(ConsumerRecord<byte[], byte[]> record, String source) {
        if (record.value() == null) {
            return;
        }
        RecordDecoder.Decoded<LiveMetrics> decoded = decisions.get().values().decode(record.topic(), record.value());
        if (decoded instanceof RecordDecoder.Bad<LiveMetrics> bad) {
            if (undecodableDecisions++ < 100) {
                LOG.warn("skipping undecodable live-metrics record at {}: {}", source, bad.detail());
            }
            return;
        }
        intake.rollouts().take(((RecordDecoder.Ok<LiveMetrics>) decoded).value(), source);
    }

    private List<TopicPartition> assignAll() {
        while (running) {
            List<TopicPartition> partitions = new ArrayList<>(partitionsOf(topic));
            if (!partitions.isEmpty()) {
                if (decisions.isPresent()) {
                    List<TopicPartition> live = partitionsOf(decisions.get().topic());
                    if (live.isEmpty()) {
                        LOG.info("topic {} does not exist: no rollout decisions to follow", decisions.get().topic());
                    }
                    partitions.addAll(live);
                }
                consumer.assign(partitions);
                return partitions;
            }
            LOG.warn("topic {} does not exist yet; waiting for it", topic);
            sleepQuietly(Duration.ofSeconds(1));
        }
        throw new WakeupException();
    }

    private List<TopicPartition> partitionsOf(String name) {
        List<PartitionInfo> infos = consumer.partitionsFor(name, Duration.ofSeconds(30));
        return infos == null ? List.of() : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    private void checkCaughtUp(Map<TopicPartition, Long> startEnd) {
        if (caughtUp.getCount() == 0) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> e : startEnd.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return;
            }
        }
        caughtUp.countDown();
        LOG.info("models read up to where they stood at start: swapped in {}, refused {}", intake.swaps(),
                intake.refusals());
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        if (!thread.isAlive()) {
            if (thread.getState() == Thread.State.NEW) {
                consumer.close(Duration.ofSeconds(5));
            }
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
