package dev.sentiflow.trainer.loop;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.Rollout;
import dev.sentiflow.model.train.FineTuneListener;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.CheckpointChunker;
import dev.sentiflow.schemas.checkpoint.CheckpointHeader;
import dev.sentiflow.schemas.checkpoint.CheckpointKeys;
import dev.sentiflow.trainer.catalog.ModelsCatalog;
import dev.sentiflow.trainer.gate.Gate;
import dev.sentiflow.trainer.gate.GateDecision;
import dev.sentiflow.trainer.intake.ExampleIntake.RoundInput;
import dev.sentiflow.trainer.intake.ExampleIntake;
import dev.sentiflow.trainer.metrics.ProgressLog;
import dev.sentiflow.trainer.metrics.RoundMetrics;
import dev.sentiflow.trainer.publish.RoundPublisher;
import dev.sentiflow.trainer.sample.ClassBalance;
import dev.sentiflow.trainer.training.RoundTrainer;
import dev.sentiflow.trainer.trigger.Trigger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of one model, in two halves: {@link #plan} on the polling thread (is there enough to
 * train on; the version, the champion and a snapshot of the input) and {@link #train} on the round's
 * own thread (fine-tune, score candidate and champion, gate, build the checkpoint's chunks). What
 * {@code train} returns is published by the polling thread; nothing here touches Kafka.
 */
public final class RoundRunner {

    private static final Logger LOG = LoggerFactory.getLogger(RoundRunner.class);
    /** A running round logs where it is this often (and at its start and end). */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    /** What a round starts from, fixed on the polling thread. */
    public record Job(String model, Trigger trigger, long version, RoundInput input,
            Optional<AssembledCheckpoint> champion) {}

    /** A trained and gated round, ready to commit. */
    public record Finished(Job job, GateDecision decision, RoundTrainer.Outcome outcome, RoundMetrics metrics,
            Optional<RoundPublisher.Publication> publication, Optional<CheckpointHeader> header, double wallSeconds) {}

    private final ModelsCatalog catalog;
    private final RoundTrainer trainer;
    private final CheckpointChunker chunker;
    private final Gate gate;
    private final boolean trainFromChampion;
    private final Rollout publishAs;
    private final long seed;
    private final String device;
    private final Clock clock;
    /** Why each model's last wanted round could not start: logged when it changes, not at every poll. */
    private final Map<String, String> waiting = new HashMap<>();

    public RoundRunner(ModelsCatalog catalog, RoundTrainer trainer, CheckpointChunker chunker, Gate gate,
            boolean trainFromChampion, Rollout publishAs, long seed, String device, Clock clock) {
        this.catalog = catalog;
        this.trainer = trainer;
        this.chunker = chunker;
        this.gate = gate;
        this.trainFromChampion = trainFromChampion;
        this.publishAs = publishAs;
        this.seed = seed;
        this.device = device;
        this.clock = clock;
    }

    /** The round {@code trigger} asks for, or empty (logged) when the intake cannot feed one yet. */
    public Optional<Job> plan(String model, Trigger trigger, ExampleIntake intake) {
        RoundInput input = intake.roundInput();
        if (input.window().isEmpty()) {
            if (waitingFor(model, "window")) {
                LOG.info("model {}: {} ({}) but no new labeled examples to learn from; waiting for some", model,
                        trigger.reason(), trigger.detail());
            }
            return Optional.empty();
        }
        if (input.eval().isEmpty() || input.training().isEmpty()) {
            if (waitingFor(model, "eval")) {
                LOG.info("model {}: {} round wanted but it has {} training and {} evaluation examples; waiting for "
                        + "more", model, trigger.reason(), input.training().size(), input.eval().size());
            }
            return Optional.empty();
        }
        waiting.remove(model);
        long version = catalog.nextVersion(model);
        Optional<AssembledCheckpoint> champion = catalog.champion(model);
        LOG.info("model {} round for v{} ({}: {}): {} new + {} replay training examples, {} evaluation; champion {}",
                model, version, trigger.reason(), trigger.detail(), input.window().size(), input.replay().size(),
                input.eval().size(), champion.map(c -> "v" + c.version()).orElse("none"));
        return Optional.of(new Job(model, trigger, version, input, champion));
    }

    /** Notes that {@code model} waits for {@code what}; true when it was not already waiting for it. */
    private boolean waitingFor(String model, String what) {
        return !what.equals(waiting.put(model, what));
    }

    /**
     * Trains, scores and gates the job; runs on the round's thread.
     *
     * @param cancelled polled at every optimizer step: when it turns true the round ends with a
     *     {@link CancellationException} (the trainer is stopping; the round is retrained on its next start)
     */
    public Finished train(Job job, BooleanSupplier cancelled) {
        long started = System.nanoTime();
        RoundMetrics metrics = new RoundMetrics(job.model(), job.version());
        FineTuneListener stopWhenCancelled = new FineTuneListener() {
            @Override
            public void onStep(int epoch, int step, double loss, double learningRate, double gradNorm) {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("round for " + job.model() + " v" + job.version() + " cancelled");
                }
            }
        };
        RoundTrainer.Outcome outcome = trainer.run(job.input(), job.champion().map(AssembledCheckpoint::payload),
                trainFromChampion, seed + job.version(), FineTuneListener.all(metrics, stopWhenCancelled,
                        new ProgressLog(job.model(), job.version(), PROGRESS_EVERY.toNanos(), System::nanoTime,
                                progress -> LOG.info("{}", progress.line()))));
        GateDecision decision = gate.decide(outcome.candidate(), outcome.champion());
        double wall = (System.nanoTime() - started) / 1e9;
        metrics.round(decision, outcome.candidate(), facts(job), values(job.input(), outcome, wall));
        if (!decision.publish()) {
            return new Finished(job, decision, outcome, metrics, Optional.empty(), Optional.empty(), wall);
        }
        CheckpointHeader header = header(job, outcome);
        var chunks = chunker.chunk(header, outcome.checkpoint());
        var publication = new RoundPublisher.Publication(job.model(), chunks,
                CheckpointKeys.tombstoneKeys(job.model(), chunks.size(), catalog.chunkCount(job.model())));
        return new Finished(job, decision, outcome, metrics, Optional.of(publication), Optional.of(header), wall);
    }

    private CheckpointHeader header(Job job, RoundTrainer.Outcome outcome) {
        var setup = trainer.setup();
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("accuracy", outcome.candidate().overall().accuracy());
        scores.put("macro_f1", outcome.candidate().overall().macroF1());
        scores.put("eval_examples", (double) outcome.candidate().overall().count());
        scores.put("eval_loss", outcome.fineTune().best().eval().loss());
        CheckpointHeader.Builder b = CheckpointHeader.builder(job.model(), job.version(),
                        setup.lora().isPresent() ? CheckpointKind.ADAPTER : CheckpointKind.FULL)
                .baseModelHash(setup.base().baseHash()).tokenizerId(setup.tokenizer().id()).labels(setup.labels())
                .metrics(scores).lineage(job.input().lineage()).createdAt(Instant.ofEpochMilli(clock.millis()))
                .rollout(publishAs);
        setup.lora().ifPresent(l -> b.loraConfig(dev.sentiflow.modeldata.checkpoint.LoraConfigJson.toText(l)));
        if (trainFromChampion) {
            job.champion().ifPresent(c -> b.parentVersion(c.version()));
        }
        return b.build();
    }

    private Map<String, String> facts(Job job) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("trigger", job.trigger().reason().name());
        facts.put("trigger_detail", job.trigger().detail());
        facts.put("device", device);
        facts.put("champion", job.champion().map(c -> "v" + c.version()).orElse("none"));
        facts.put("class_balance", ClassBalance.counts(job.input().training(),
                e -> trainer.setup().labels().get(e.label())).toString());
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
}
