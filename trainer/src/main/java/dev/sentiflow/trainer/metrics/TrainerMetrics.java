package dev.sentiflow.trainer.metrics;

import dev.sentiflow.trainer.gate.GateDecision;
import dev.sentiflow.trainer.intake.ExampleIntake;
import dev.sentiflow.trainer.trigger.TriggerReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the trainer counts for Prometheus ({@code sentiflow_trainer_*}), per model: examples waiting
 * for a round, the replay and evaluation samples, rounds by trigger and by outcome with the gate
 * rule that decided, round duration and training samples/s, seconds since the last publish, the
 * champion's version. Rounds count once their transaction commits.
 */
public final class TrainerMetrics {

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, PerModel> models = new ConcurrentHashMap<>();

    private record PerModel(AtomicLong waiting, AtomicLong eval, AtomicLong replay, AtomicLong lastPublishMillis,
                            AtomicLong champion, AtomicReference<Double> samplesPerSecond, Timer duration) {}

    public TrainerMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** Meters nobody scrapes: for a trainer built without a service (tests). */
    public static TrainerMetrics unregistered() {
        return new TrainerMetrics(new SimpleMeterRegistry(), Clock.systemUTC());
    }

    /** The sizes of the model's samples now; called by the polling thread, which owns the intake. */
    public void sizes(ExampleIntake intake) {
        PerModel m = model(intake.model());
        m.waiting().set(intake.windowSize());
        m.eval().set(intake.evalSize());
        m.replay().set(intake.replaySize());
    }

    /** The model's champion (what it gates against and inference serves), e.g. after the catalog is read. */
    public void champion(String model, long version) {
        model(model).champion().set(version);
    }

    /** A round's transaction committed: count it with its trigger and outcome. */
    public void roundCommitted(String model, TriggerReason trigger, GateDecision decision, double wallSeconds,
            double trainSamplesPerSecond) {
        PerModel m = model(model);
        Counter.builder("sentiflow.trainer.rounds").description("Committed rounds, by trigger, outcome and gate rule")
                .tags(Tags.of("model", model, "trigger", trigger.name(), "outcome",
                        decision.publish() ? "published" : "refused", "rule", decision.rule().name().toLowerCase(
                                java.util.Locale.ROOT)))
                .register(registry).increment();
        m.duration().record(Duration.ofMillis(Math.round(wallSeconds * 1000)));
        m.samplesPerSecond().set(trainSamplesPerSecond);
        if (decision.publish()) {
            m.lastPublishMillis().set(clock.millis());
        }
    }

    private PerModel model(String name) {
        return models.computeIfAbsent(name, n -> {
            PerModel m = new PerModel(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong(-1),
                    new AtomicLong(0),
                    new AtomicReference<>(Double.NaN), Timer.builder("sentiflow.trainer.round.duration")
                    .description("Wall time of a committed round (train, evaluate, gate, publish)").tag("model", n)
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofSeconds(1))
                    .maximumExpectedValue(Duration.ofHours(2)).register(registry));
            Tags tags = Tags.of("model", n);
            Gauge.builder("sentiflow.trainer.examples.waiting", m.waiting(), AtomicLong::get)
                    .description("New labeled training examples waiting for the next round").tags(tags).register(registry);
            Gauge.builder("sentiflow.trainer.eval.examples", m.eval(), AtomicLong::get)
                    .description("Examples in the held-out evaluation sample").tags(tags).register(registry);
            Gauge.builder("sentiflow.trainer.replay.examples", m.replay(), AtomicLong::get)
                    .description("Examples in the replay sample (old examples retrained against forgetting)")
                    .tags(tags).register(registry);
            Gauge.builder("sentiflow.trainer.champion.version", m.champion(), AtomicLong::get)
                    .description("The champion version (0: none yet)").tags(tags).register(registry);
            Gauge.builder("sentiflow.trainer.round.train.samples.per.second", m.samplesPerSecond(), AtomicReference::get)
                    .description("Training samples per second of the last committed round").tags(tags).register(registry);
            Gauge.builder("sentiflow.trainer.since.last.publish", m.lastPublishMillis(),
                            t -> t.get() < 0 ? Double.NaN : (clock.millis() - t.get()) / 1000.0)
                    .description("Seconds since this trainer last published a version (NaN: none since it started)")
                    .baseUnit("seconds").tags(tags).register(registry);
            return m;
        });
    }
}
