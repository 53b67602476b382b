package dev.sentiflow.trainer;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.Rollout;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.CheckpointChunker;
import dev.sentiflow.schemas.checkpoint.CheckpointHeader;
import dev.sentiflow.schemas.checkpoint.CheckpointKeys;
import dev.sentiflow.schemas.live.LiveView;
import dev.sentiflow.trainer.catalog.ModelsCatalog;
import dev.sentiflow.trainer.gate.Gate;
import dev.sentiflow.trainer.gate.GateDecision;
import dev.sentiflow.trainer.intake.ExampleIntake;
import dev.sentiflow.trainer.intake.ExampleIntake.RoundInput;
import dev.sentiflow.model.train.FineTuneListener;
import dev.sentiflow.trainer.metrics.ProgressLog;
import dev.sentiflow.trainer.metrics.RoundMetrics;
import dev.sentiflow.trainer.publish.RoundPublisher;
import dev.sentiflow.trainer.trigger.LiveObservation;
import dev.sentiflow.trainer.trigger.RoundTrigger;
import dev.sentiflow.trainer.trigger.Trigger;
import dev.sentiflow.trainer.trigger.TriggerPolicy;
import dev.sentiflow.trainer.training.RoundTrainer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's loop, on one thread: poll {@code reviews.tokenized}, sort records into each model's
 * {@link ExampleIntake}, and when a model's {@link RoundTrigger} fires run a round, gate it and
 * commit it ({@link RoundPublisher}) together with the offsets of everything consumed so far.
 *
 * <p>Offsets are committed only inside a round's transaction, so the group's committed offsets
 * always match the published models. On (re)assignment each partition is re-read from the beginning:
 * records below the committed offset rebuild the replay and evaluation samples (order-independent,
 * so exactly as before a crash), records from it on form the window that the next round trains.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    /** A running round logs where it is this often (and at its start and end). */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    /** The collaborators, built by {@link TrainerApp} (or a test) from the configuration. */
    public record Parts(Consumer<byte[], byte[]> input, String inputTopic, Deserializer<TokenizedReview> reviews,
            Optional<Consumer<byte[], byte[]>> live, String liveTopic, Deserializer<LiveMetrics> liveMetrics,
            ModelsCatalog catalog, RoundTrainer trainer, RoundPublisher publisher, CheckpointChunker chunker,
            Gate gate, TriggerPolicy policy, Function<String, String> modelFor,
            Function<String, ExampleIntake> newIntake, boolean trainFromChampion, Rollout publishAs, long seed,
            String device, Clock clock) {}

    private final Parts parts;
    private final Map<String, ExampleIntake> intakes = new LinkedHashMap<>();
    private final Map<String, RoundTrigger> triggers = new HashMap<>();
    /** Inference's live windows, one per task, added up: what the drift trigger sees. */
    private final LiveView live = new LiveView();
    private final Map<TopicPartition, Long> historyUntil = new HashMap<>();
    /** Per partition: the group's committed offset as this member last set or read it. */
    private final Map<TopicPartition, Long> committedOffsets = new HashMap<>();
    /** Per partition: the offset of the last data record taken (commit markers are not records). */
    private final Map<TopicPartition, Long> lastRecord = new HashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private long skipped;
    /** Refusal causes already logged: each is logged once, then only counted (the status line shows the counts). */
    private final Set<String> warned = new java.util.HashSet<>();

    public TrainerService(Parts parts) {
        this.parts = parts;
    }

    /** Runs until {@link #stop()}; a fenced producer (another trainer took over) ends it with an exception. */
    public void run() {
        parts.input().subscribe(List.of(parts.inputTopic()), new Rebalance());
        parts.live().ifPresent(this::followLiveMetrics);
        long lastStatus = now();
        try {
            while (!stopping.get()) {
                var records = parts.input().poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    take(r);
                }
                if (records.isEmpty()) {
                    commitMarkersOnly();
                }
                pollLiveMetrics();
                for (String model : List.copyOf(intakes.keySet())) {
                    Optional<Trigger> trigger = triggers.get(model).check(now());
                    if (trigger.isPresent()) {
                        round(model, trigger.get());
                    }
                }
                if (now() - lastStatus > 30_000) {
                    lastStatus = now();
                    intakes.values().forEach(i -> LOG.info("trainer model {}: {}; consumed {}; undecodable records "
                            + "skipped {}", i.model(), i.sizes(), i.counts(), skipped));
                }
            }
        } catch (WakeupException e) {
            if (!stopping.get()) {
                throw e;
            }
        }
    }

    /** Makes {@link #run()} return after the current poll or round; safe from any thread. */
    public void stop() {
        stopping.set(true);
        parts.input().wakeup();
    }

    private void take(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        lastRecord.put(tp, r.offset());
        TokenizedReview review;
        try {
            review = r.value() == null ? null : parts.reviews().deserialize(r.topic(), r.value());
        } catch (SerializationException e) {
            review = null;
            LOG.warn("skipping undecodable record {}@{}: {}", tp, r.offset(), e.getMessage());
        }
        if (review == null) {
            skipped++;
            return;
        }
        String model = parts.modelFor().apply(review.getDomain());
        ExampleIntake intake = intakes.computeIfAbsent(model, m -> {
            triggers.put(m, newTrigger(m));
            return parts.newIntake().apply(m);
        });
        boolean history = r.offset() < historyUntil.getOrDefault(tp, 0L);
        ExampleIntake.Outcome outcome = intake.accept(review, r.topic(), r.partition(), r.offset(), history);
        switch (outcome) {
            case WINDOW_FULL -> {
                // Not stored, so not consumed: stop this partition here and read it again after the round.
                parts.input().pause(Set.of(tp));
                parts.input().seek(tp, r.offset());
                return;
            }
            case TRAIN -> {
                if (!history) {
                    triggers.get(model).examplesArrived(1);
                }
            }
            case REFUSED_TOKENIZER -> {
                if (warned.size() < 100 && warned.add(model + "|tokenizer|" + review.getTokenizerId())) {
                    LOG.warn("refused {} at {}@{}: tokenized with {} but model {} uses another tokenizer; such records "
                            + "are never trained on (counted, not logged again)", review.getId(), tp, r.offset(),
                            review.getTokenizerId(), model);
                }
            }
            case REFUSED_LABEL -> {
                if (warned.size() < 100 && warned.add(model + "|label|" + review.getLabel())) {
                    LOG.warn("refused {} at {}@{}: label '{}' is not one of the model's labels (counted, not logged "
                            + "again)", review.getId(), tp, r.offset(), review.getLabel());
                }
            }
            default -> { }
        }
    }

    private RoundTrigger newTrigger(String model) {
        RoundTrigger trigger = new RoundTrigger(parts.policy(), now());
        parts.catalog().champion(model).ifPresent(c -> trigger.published(c.version(),
                c.header().metrics().getOrDefault("accuracy", 0.0)));
        return trigger;
    }

    private void round(String model, Trigger trigger) {
        ExampleIntake intake = intakes.get(model);
        RoundInput input = intake.roundInput();
        if (input.window().isEmpty()) {
            LOG.info("model {}: {} ({}) but no new labeled examples to learn from; waiting for some", model,
                    trigger.reason(), trigger.detail());
            return;
        }
        if (input.eval().isEmpty() || input.training().isEmpty()) {
            LOG.info("model {}: {} round wanted but it has {} training and {} evaluation examples; waiting for more",
                    model, trigger.reason(), input.training().size(), input.eval().size());
            return;
        }
        RoundTrigger roundTrigger = triggers.get(model);
        roundTrigger.roundStarted(trigger);
        long version = parts.catalog().nextVersion(model);
        Optional<AssembledCheckpoint> champion = parts.catalog().champion(model);
        long started = System.nanoTime();
        LOG.info("model {} round for v{} ({}: {}): {} new + {} replay training examples, {} evaluation; champion {}",
                model, version, trigger.reason(), trigger.detail(), input.window().size(), input.replay().size(),
                input.eval().size(), champion.map(c -> "v" + c.version()).orElse("none"));
        RoundMetrics metrics = new RoundMetrics(model, version);
        RoundTrainer.Outcome outcome = parts.trainer().run(input, champion.map(AssembledCheckpoint::payload),
                parts.trainFromChampion(), parts.seed() + version, FineTuneListener.all(metrics,
                        new ProgressLog(model, version, PROGRESS_EVERY.toNanos(), System::nanoTime,
                                progress -> LOG.info("{}", progress.line()))));
        GateDecision decision = parts.gate().decide(outcome.candidate(), outcome.champion());
        double wall = (System.nanoTime() - started) / 1e9;
        metrics.round(decision, outcome.candidate(), facts(trigger, input, champion),
                values(input, outcome, wall));
        Optional<RoundPublisher.Publication> publication = Optional.empty();
        CheckpointHeader header = null;
        if (decision.publish()) {
            header = header(model, version, outcome, input, champion);
            var chunks = parts.chunker().chunk(header, outcome.checkpoint());
            publication = Optional.of(new RoundPublisher.Publication(model, chunks,
                    CheckpointKeys.tombstoneKeys(model, chunks.size(), parts.catalog().chunkCount(model))));
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = offsets(model);
        try {
            parts.publisher().commit(publication, metrics.records(), offsets, parts.input().groupMetadata());
            offsets.forEach((tp, o) -> committedOffsets.put(tp, o.offset()));
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            // Nothing became visible and no offset moved: the window is read again and retrained.
            LOG.error("model {} round for v{} could not commit ({}); its examples will be trained again", model,
                    version, e.toString());
            roundTrigger.roundCompleted(now());
            resetToCommitted(parts.input().assignment());
            return;
        }
        if (publication.isPresent()) {
            var chunks = publication.get().chunks();
            parts.catalog().published(new AssembledCheckpoint(header, chunks.get(0).getSha256(), outcome.checkpoint()),
                    chunks.size());
            roundTrigger.published(version, outcome.candidate().overall().accuracy());
        }
        intake.roundDone(input);
        roundTrigger.roundCompleted(now());
        parts.input().resume(parts.input().paused());
        LOG.info("model {} v{} {} in {} s ({} train samples/s): {}\n{}", model, version,
                decision.publish() ? "PUBLISHED" : "REFUSED", String.format(Locale.ROOT, "%.1f", wall),
                String.format(Locale.ROOT, "%.1f", outcome.trainSamplesPerSecond()), decision.reason(), decision.table());
    }

    private CheckpointHeader header(String model, long version, RoundTrainer.Outcome outcome, RoundInput input,
            Optional<AssembledCheckpoint> champion) {
        var setup = parts.trainer().setup();
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("accuracy", outcome.candidate().overall().accuracy());
        scores.put("macro_f1", outcome.candidate().overall().macroF1());
        scores.put("eval_examples", (double) outcome.candidate().overall().count());
        scores.put("eval_loss", outcome.fineTune().best().eval().loss());
        CheckpointHeader.Builder b = CheckpointHeader.builder(model, version,
                        setup.lora().isPresent() ? CheckpointKind.ADAPTER : CheckpointKind.FULL)
                .baseModelHash(setup.base().baseHash()).tokenizerId(setup.tokenizer().id()).labels(setup.labels())
                .metrics(scores).lineage(input.lineage()).createdAt(Instant.ofEpochMilli(now()))
                .rollout(parts.publishAs());
        setup.lora().ifPresent(l -> b.loraConfig(dev.sentiflow.model.checkpoint.LoraConfigJson.toText(l)));
        if (parts.trainFromChampion()) {
            champion.ifPresent(c -> b.parentVersion(c.version()));
        }
        return b.build();
    }

    private Map<String, String> facts(Trigger trigger, RoundInput input, Optional<AssembledCheckpoint> champion) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("trigger", trigger.reason().name());
        facts.put("trigger_detail", trigger.detail());
        facts.put("device", parts.device());
        facts.put("champion", champion.map(c -> "v" + c.version()).orElse("none"));
        facts.put("class_balance", dev.sentiflow.trainer.sample.ClassBalance.counts(input.training(),
                e -> parts.trainer().setup().labels().get(e.label())).toString());
        return facts;
    }

    private static Map<String, Double> values(RoundInput input, RoundTrainer.Outcome outcome, double wall) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("window_examples", (double) input.window().size());
        values.put("replay_examples", (double) input.replay().size());
        values.put("train_examples", (double) outcome.trainExamples());
        values.put("unlabeled_examples", (double) input.unlabeled().size());
        values.put("wall_seconds", wall);
        values.put("train_seconds", outcome.trainSeconds());
        values.put("train_samples_per_s", outcome.trainSamplesPerSecond());
        values.put("best_epoch", (double) outcome.fineTune().bestEpoch());
        return values;
    }

    /**
     * The offsets a round of {@code model} commits: per partition the next offset to read, except that
     * no partition moves past the first window example of another model (those still wait for their
     * own round; this model may then see a few of its examples again, which only retrains them).
     */
    private Map<TopicPartition, OffsetAndMetadata> offsets(String model) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : parts.input().assignment()) {
            // The consumer's position, not the last record + 1: it also steps over the commit markers
            // of a transactional producer (ingest), so the group's lag reaches zero. Never below the
            // committed offset while history is still being re-read.
            long commit = Math.max(parts.input().position(tp), historyUntil.getOrDefault(tp, 0L));
            for (ExampleIntake other : intakes.values()) {
                if (!other.model().equals(model)) {
                    var first = other.firstWindowOffset(tp.topic(), tp.partition());
                    if (first.isPresent()) {
                        commit = Math.min(commit, first.getAsLong());
                    }
                }
            }
            out.put(tp, new OffsetAndMetadata(commit));
        }
        return out;
    }

    /**
     * When idle: moves the committed offset of a partition over what lies past it if that is only
     * commit markers of a transactional producer (no record was taken there since), so the group's
     * lag reaches zero. An offsets-only transaction: nothing else is written.
     */
    private void commitMarkersOnly() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : parts.input().assignment()) {
            Long committed = committedOffsets.get(tp);
            long position = parts.input().position(tp);
            if (committed != null && position > committed && lastRecord.getOrDefault(tp, -1L) < committed) {
                offsets.put(tp, new OffsetAndMetadata(position));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            parts.publisher().commit(Optional.empty(), List.of(), offsets, parts.input().groupMetadata());
            offsets.forEach((tp, o) -> committedOffsets.put(tp, o.offset()));
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("could not move the committed offsets over commit markers ({}); retrying when idle", e.toString());
        }
    }

    /**
     * Forgets every uncommitted window and reads the assigned partitions again from the committed
     * offsets (after a failed commit or a rebalance): re-reading is harmless, the samples dedupe by id.
     */
    private void resetToCommitted(Set<TopicPartition> assigned) {
        intakes.values().forEach(ExampleIntake::dropWindow);
        intakes.keySet().forEach(m -> triggers.put(m, newTrigger(m)));
        Map<TopicPartition, OffsetAndMetadata> committed = parts.input().committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata c = committed.get(tp);
            long from = c == null ? 0 : c.offset();
            historyUntil.put(tp, from);
            if (c != null) {
                committedOffsets.put(tp, from);
            }
            parts.input().seek(tp, from);
        }
        parts.input().resume(parts.input().paused());
    }

    private void followLiveMetrics(Consumer<byte[], byte[]> consumer) {
        var partitions = consumer.partitionsFor(parts.liveTopic()).stream()
                .map(p -> new TopicPartition(parts.liveTopic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
    }

    private void pollLiveMetrics() {
        if (parts.live().isEmpty()) {
            return;
        }
        for (ConsumerRecord<byte[], byte[]> r : parts.live().get().poll(Duration.ZERO)) {
            LiveMetrics m;
            try {
                m = parts.liveMetrics().deserialize(r.topic(), r.value());
            } catch (SerializationException e) {
                LOG.warn("skipping undecodable live metrics record at {}-{}@{}: {}", r.topic(), r.partition(),
                        r.offset(), e.getMessage());
                continue;
            }
            RoundTrigger trigger = m == null ? null : triggers.get(m.getModelName());
            if (trigger != null && live.add(m)) {
                // The newest serving version only: a late window of a replaced version is no drift of today's model.
                live.newestVersion(m.getModelName()).flatMap(v -> live.of(m.getModelName(), v)).ifPresent(c ->
                        trigger.liveObserved(new LiveObservation(c.version(), c.labeledCount(), c.accuracy())));
            }
        }
    }

    private long now() {
        return parts.clock().millis();
    }

    @Override
    public void close() {
        parts.input().close(Duration.ofSeconds(10));
        parts.live().ifPresent(c -> c.close(Duration.ofSeconds(5)));
        parts.publisher().close();
    }

    /** Re-reads each newly assigned partition from the beginning: history below the committed offset. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = parts.input().committed(Set.copyOf(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                historyUntil.put(tp, c == null ? 0 : c.offset());
                if (c != null) {
                    committedOffsets.put(tp, c.offset());
                }
            }
            parts.input().seekToBeginning(partitions);
            LOG.info("assigned {}; re-reading history up to committed offsets {}", partitions, historyUntil);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // Uncommitted windows are read again, here or by whoever gets the partitions.
            partitions.forEach(tp -> {
                historyUntil.remove(tp);
                committedOffsets.remove(tp);
            });
            Set<TopicPartition> kept = new java.util.HashSet<>(parts.input().assignment());
            kept.removeAll(partitions);
            resetToCommitted(kept);
        }
    }
}
