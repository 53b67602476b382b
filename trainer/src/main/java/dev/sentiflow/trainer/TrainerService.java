package dev.sentiflow.trainer;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.failure.Backoff;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.trainer.catalog.ModelsCatalog;
import dev.sentiflow.trainer.metrics.TrainerHealth;
import dev.sentiflow.trainer.metrics.TrainerMetrics;
import dev.sentiflow.trainer.loop.LiveFollower;
import dev.sentiflow.trainer.loop.ModelStates;
import dev.sentiflow.trainer.loop.OffsetBook;
import dev.sentiflow.trainer.loop.RecordRouter;
import dev.sentiflow.trainer.loop.RoundCommitter;
import dev.sentiflow.trainer.loop.RoundInFlight;
import dev.sentiflow.trainer.loop.RoundRunner;
import dev.sentiflow.trainer.publish.RoundPublisher;
import dev.sentiflow.trainer.trigger.RoundTrigger;
import dev.sentiflow.trainer.trigger.Trigger;
import dev.sentiflow.trainer.trigger.TriggerPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's loop. The polling thread never trains: it polls {@code reviews.tokenized}, sorts
 * records into each model's intake ({@link RecordRouter}), and when a model's trigger fires it
 * snapshots the round's input ({@link RoundRunner#plan}) and hands it to the round thread. While the
 * round trains, every assigned partition is paused and the loop keeps polling, so the member stays
 * in its group however long the round takes. The finished round is committed by the polling thread
 * together with the offsets of everything consumed ({@link RoundCommitter}, {@link RoundPublisher});
 * a commit that fails is retried with a back-off (the round is kept, not retrained) until it
 * succeeds or the partitions move to another member.
 *
 * <p>Offsets are committed only inside a round's transaction, so the group's committed offsets
 * always match the published models. On (re)assignment each partition is re-read from the beginning:
 * records below the committed offset rebuild the replay and evaluation samples (order-independent,
 * so exactly as before a crash), records from it on form the window that the next round trains.
 *
 * <p>A record that is not a {@code TokenizedReview} is skipped and counted; a registry that does not
 * answer pauses the partition at that record and retries it after a back-off; a registry that refuses
 * our credentials or URL ends the loop with an exception that says so.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final Duration STATUS_EVERY = Duration.ofSeconds(30);

    /** The collaborators, built by {@link TrainerApp} (or a test) from the configuration. */
    public record Parts(Consumer<byte[], byte[]> input, String inputTopic, RecordDecoder<dev.sentiflow.avro.TokenizedReview> reviews,
            Optional<Consumer<byte[], byte[]>> live, String liveTopic, RecordDecoder<LiveMetrics> liveMetrics,
            ModelsCatalog catalog, RoundRunner rounds, RoundPublisher publisher, TriggerPolicy policy,
            java.util.function.Function<String, String> modelFor,
            java.util.function.Function<String, dev.sentiflow.trainer.intake.ExampleIntake> newIntake, Clock clock,
            TrainerMetrics metrics, TrainerHealth health, AutoCloseable ops) {}

    private final Parts parts;
    private final ModelStates models;
    private final OffsetBook book = new OffsetBook();
    private final RecordRouter router;
    private final Optional<LiveFollower> live;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ExecutorService roundThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "trainer-round");
        t.setDaemon(true);
        return t;
    });
    private final Backoff registryBackoff = new Backoff();
    private final RoundCommitter committer;
    /** Partitions paused at a record the registry could not resolve, and when to try them again. */
    private final Map<TopicPartition, Long> retryAt = new HashMap<>();
    /** Bumped by every rebalance: a round begun before one is abandoned (its partitions may be elsewhere now). */
    private long assignmentEpoch;
    /** Whether the wait for re-read history was logged since the last assignment. */
    private boolean historyWaitLogged;
    private RoundInFlight inFlight;
    /** For operators' status and for tests, read from other threads. */
    private volatile long versionInFlight = -1;

    public TrainerService(Parts parts) {
        this.parts = parts;
        this.models = new ModelStates(parts.newIntake(), this::newTrigger);
        this.router = new RecordRouter(parts.reviews()::decode, parts.modelFor(), models, book);
        this.live = parts.live().map(c -> new LiveFollower(c, parts.liveTopic(), parts.liveMetrics()));
        this.committer = new RoundCommitter(parts.publisher(), parts.input(), book, parts.clock());
    }

    /**
     * Runs until {@link #stop()}. Ends with an exception only for what retrying cannot fix: a fenced
     * producer (another trainer took over), a broker or registry that refuses our credentials (or a
     * wrong registry URL), a round that failed inside the model code.
     */
    public void run() {
        parts.input().subscribe(List.of(parts.inputTopic()), new Rebalance());
        live.ifPresent(LiveFollower::start);
        long lastStatus = now();
        try {
            while (!stopping.get()) {
                ConsumerRecords<byte[], byte[]> records = parts.input().poll(Duration.ofMillis(inFlight == null ? 500 : 200));
                parts.health().polled();
                route(records);
                models.intakes().forEach(parts.metrics()::sizes);
                live.ifPresent(f -> f.poll(this::liveObserved, this::decided));
                retryPausedPartitions();
                if (inFlight != null) {
                    advanceRound();
                } else {
                    if (records.isEmpty()) {
                        committer.commitMarkers(parts.input().assignment(), parts.input()::position);
                    }
                    startRoundIfDue();
                }
                if (now() - lastStatus > STATUS_EVERY.toMillis()) {
                    lastStatus = now();
                    models.intakes().forEach(i -> LOG.info("trainer model {}: {}; consumed {}; undecodable records "
                            + "skipped {}{}", i.model(), i.sizes(), i.counts(), router.undecodable(),
                            inFlight == null ? "" : "; round for v" + inFlight.job().version() + " in flight"));
                }
            }
        } catch (WakeupException e) {
            if (!stopping.get()) {
                parts.health().ended(e.toString());
                throw e;
            }
        } catch (RuntimeException e) {
            parts.health().ended(e.getMessage());
            throw e;
        } finally {
            cancelRound();
            if (stopping.get()) {
                parts.health().ended("stopped");
            }
        }
    }

    /** Makes {@link #run()} return after the current poll; a round in flight is cancelled (retrained on restart). */
    public void stop() {
        stopping.set(true);
        parts.input().wakeup();
    }

    /** Records skipped because they are not a {@code TokenizedReview}. */
    public long undecodableRecords() {
        return router.undecodable();
    }

    /** The version a round is training or committing now, or -1. */
    public long versionInFlight() {
        return versionInFlight;
    }

    /** Attempts to commit a finished round that failed (and were retried). */
    public long failedCommits() {
        return committer.failedCommits();
    }

    private void route(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            Optional<RecordRouter.Stop> stop = router.route(tp, records.records(tp));
            if (stop.isEmpty()) {
                continue;
            }
            parts.input().pause(Set.of(tp));
            parts.input().seek(tp, stop.get().offset());
            if (stop.get() instanceof RecordRouter.RegistryAway away) {
                Duration wait = registryBackoff.onFailure(System.nanoTime());
                retryAt.put(tp, now() + wait.toMillis());
                LOG.warn("{} paused at offset {}: the schema registry does not answer ({}); trying again in {} ms",
                        tp, away.offset(), away.cause().getMessage(), wait.toMillis());
            }
        }
    }

    /** Resumes partitions whose registry back-off is over (unless a round holds every partition paused). */
    private void retryPausedPartitions() {
        if (retryAt.isEmpty()) {
            return;
        }
        long now = now();
        Set<TopicPartition> due = new HashSet<>();
        retryAt.forEach((tp, at) -> {
            if (at <= now) {
                due.add(tp);
            }
        });
        due.forEach(retryAt::remove);
        due.retainAll(parts.input().assignment());
        if (!due.isEmpty() && inFlight == null) {
            parts.input().resume(due);
        }
    }

    private void startRoundIfDue() {
        Set<TopicPartition> unread;
        try {
            unread = book.historyUnread(parts.input().assignment(), parts.input()::position,
                    tp -> parts.input().currentLag(tp).orElse(1) == 0);
        } catch (KafkaException e) {
            return; // positions cannot be read now: asked again at the next poll
        }
        if (!unread.isEmpty()) {
            if (!historyWaitLogged) {
                LOG.info("rounds wait until the history of {} is re-read (replay and evaluation samples are rebuilt "
                        + "from it)", unread);
                historyWaitLogged = true;
            }
            return;
        }
        for (String model : models.models()) {
            Optional<Trigger> trigger = models.trigger(model).check(now());
            if (trigger.isEmpty()) {
                continue;
            }
            Optional<RoundRunner.Job> job = parts.rounds().plan(model, trigger.get(), models.intake(model));
            if (job.isEmpty()) {
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> offsets;
            try {
                offsets = book.roundOffsets(parts.input().assignment(), parts.input()::position, model,
                        models.intakes());
            } catch (KafkaException e) {
                LOG.warn("model {}: the round waits; the consumer's positions cannot be read now ({})", model,
                        e.toString());
                return;
            }
            models.trigger(model).roundStarted(trigger.get());
            // Nothing more is taken while the round runs: its offsets are those of what it was given.
            parts.input().pause(parts.input().assignment());
            inFlight = new RoundInFlight(job.get(), assignmentEpoch, offsets,
                    roundThread.submit(() -> parts.rounds().train(job.get(), stopping::get)));
            versionInFlight = job.get().version();
            return;
        }
    }

    private void advanceRound() {
        RoundInFlight round = inFlight;
        if (round.finished() == null) {
            if (!round.training().isDone()) {
                return;
            }
            try {
                round.trained(round.training().get());
            } catch (ExecutionException e) {
                inFlight = null;
                versionInFlight = -1;
                throw new IllegalStateException("model " + round.job().model() + " round for v" + round.job().version()
                        + " failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (round.assignmentEpoch() != assignmentEpoch) {
            LOG.warn("model {} round for v{} abandoned: the group rebalanced while it ran, so its offsets may belong to "
                    + "another member now; its examples are trained again", round.job().model(), round.job().version());
            models.trigger(round.job().model()).roundCompleted(now());
            roundEnded();
            return;
        }
        if (committer.commit(round)) {
            applied(round);
        }
    }

    /** The round's transaction is committed: the catalog, the trigger and the intake learn of it. */
    private void applied(RoundInFlight round) {
        RoundRunner.Finished f = round.finished();
        String model = round.job().model();
        RoundTrigger trigger = models.trigger(model);
        f.publication().ifPresent(p -> {
            parts.catalog().published(new AssembledCheckpoint(f.header().orElseThrow(), p.chunks().get(0).getSha256(),
                    f.outcome().checkpoint()), p.chunks().size());
            trigger.published(round.job().version(), f.outcome().candidate().overall().accuracy(),
                    f.outcome().candidate().overall().count());
            // A challenger is published but not served: the champion inference serves stays the one drift watches.
            parts.catalog().champion(model).ifPresent(c -> {
                trigger.serving(c.version());
                parts.metrics().champion(model, c.version());
            });
        });
        parts.metrics().roundCommitted(model, round.job().trigger().reason(), f.decision(), f.wallSeconds(),
                f.outcome().trainSamplesPerSecond());
        models.intake(model).roundDone(round.job().input());
        trigger.roundCompleted(now());
        roundEnded();
        LOG.info("model {} v{} {} in {} s ({} train samples/s): {}\n{}", model, round.job().version(),
                f.decision().publish() ? "PUBLISHED" : "REFUSED", String.format(Locale.ROOT, "%.1f", f.wallSeconds()),
                String.format(Locale.ROOT, "%.1f", f.outcome().trainSamplesPerSecond()), f.decision().reason(),
                f.decision().table());
    }

    private void roundEnded() {
        inFlight = null;
        versionInFlight = -1;
        Set<TopicPartition> assigned = parts.input().assignment();
        book.endReadAhead().forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                parts.input().seek(tp, offset);
            }
        });
        resumeAll();
    }

    private void resumeAll() {
        Set<TopicPartition> resume = new HashSet<>(parts.input().paused());
        resume.removeAll(retryAt.keySet());
        parts.input().resume(resume);
    }

    private void cancelRound() {
        if (inFlight != null && !inFlight.training().isDone()) {
            LOG.info("stopping: cancelling the round for {} v{} (it is trained again on the next start)",
                    inFlight.job().model(), inFlight.job().version());
            try {
                inFlight.training().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof CancellationException)) {
                    LOG.warn("the cancelled round ended with {}", e.getCause().toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.warn("the cancelled round did not end within 60 s");
            }
        }
        inFlight = null;
        versionInFlight = -1;
    }

    private RoundTrigger newTrigger(String model) {
        RoundTrigger trigger = new RoundTrigger(parts.policy(), now());
        parts.catalog().champion(model).ifPresent(c -> {
            trigger.published(c.version(), c.header().metrics().getOrDefault("accuracy", 0.0),
                    c.header().metrics().getOrDefault("eval_examples", 0.0).longValue());
            trigger.serving(c.version());
            parts.metrics().champion(model, c.version());
        });
        return trigger;
    }

    /** A committed rollout decision: the champion follows what inference serves. */
    private void decided(LiveMetrics decision) {
        parts.catalog().decided(decision).ifPresent(change -> {
            LOG.info(change);
            String model = decision.getModelName();
            if (models.models().contains(model)) {
                parts.catalog().champion(model).ifPresent(c -> {
                    models.trigger(model).serving(c.version());
                    parts.metrics().champion(model, c.version());
                });
            }
        });
    }

    private void liveObserved(String model, dev.sentiflow.trainer.trigger.LiveObservation observation) {
        if (models.models().contains(model)) {
            models.trigger(model).liveObserved(observation);
        }
    }

    /**
     * Forgets every uncommitted window and reads {@code assigned} again from the committed offsets
     * (after a rebalance): re-reading is harmless, the samples dedupe by id.
     */
    private void resetToCommitted(Set<TopicPartition> assigned) {
        models.resetWindows();
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata c = committed.get(tp);
            book.assigned(tp, Optional.ofNullable(c));
            parts.input().seek(tp, c == null ? 0 : c.offset());
        }
        if (inFlight == null) {
            resumeAll();
        }
    }

    /**
     * The group's committed offsets of {@code partitions}, waiting for the broker while it is away:
     * without them neither history nor the next window can be told apart.
     */
    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(Set<TopicPartition> partitions) {
        Backoff backoff = new Backoff();
        while (true) {
            try {
                return parts.input().committed(partitions);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (stopping.get()) {
                    throw e;
                }
                Duration wait = backoff.onFailure(System.nanoTime());
                LOG.warn("cannot read the group's committed offsets of {} ({}); trying again in {} ms", partitions,
                        e.getMessage(), wait.toMillis());
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private long now() {
        return parts.clock().millis();
    }

    @Override
    public void close() {
        roundThread.shutdownNow();
        parts.input().close(Duration.ofSeconds(10));
        live.ifPresent(LiveFollower::close);
        parts.publisher().close();
        try {
            parts.ops().close();
        } catch (Exception e) {
            LOG.warn("closing the metrics endpoint: {}", e.toString());
        }
    }

    /** Re-reads each newly assigned partition from the beginning: history below the committed offset. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            parts.health().assigned(parts.input().assignment().size());
            if (partitions.isEmpty()) {
                return;
            }
            assignmentEpoch++;
            historyWaitLogged = false;
            Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(Set.copyOf(partitions));
            for (TopicPartition tp : partitions) {
                book.assigned(tp, Optional.ofNullable(committed.get(tp)));
            }
            parts.input().seekToBeginning(partitions);
            if (inFlight != null) {
                parts.input().pause(partitions);
            }
            LOG.info("assigned {}; re-reading history up to committed offsets {}", partitions, book.historyEnds());
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            assignmentEpoch++;
            // Uncommitted windows are read again, here or by whoever gets the partitions.
            partitions.forEach(tp -> {
                book.revoked(tp);
                retryAt.remove(tp);
            });
            Set<TopicPartition> kept = new HashSet<>(parts.input().assignment());
            kept.removeAll(partitions);
            parts.health().assigned(kept.size());
            resetToCommitted(kept);
        }
    }
}
