package dev.sentiflow.inference.metrics;

import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.inference.models.CheckpointIntake;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.schemas.ops.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What inference counts for Prometheus ({@code sentiflow_inference_*}): records scored per model,
 * batch size and batch time, produce-to-prediction latency, dead letters by reason, the version each
 * model serves, swaps and refused checkpoints by reason, rollout decisions, live accuracy per model
 * and version. Counted as records are processed: after a crash, records of an aborted transaction are
 * scored and counted again (the topics hold them once).
 */
public final class InferenceMetrics {

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final Timer batchTime;
    private final Timer latency;
    private final Map<String, Counter> scored = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> live = new ConcurrentHashMap<>();

    private InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.batchSize = DistributionSummary.builder("sentiflow.inference.batch.size")
                .description("Records per scored batch").baseUnit("records")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
        this.batchTime = Timer.builder("sentiflow.inference.batch")
                .description("Model time per scored batch").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.latency = Timer.builder("sentiflow.inference.latency")
                .description("From a review's event time to its prediction (scoredAt - eventTime)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    }

    /** Meters on the service's registry, with the served versions, swaps and refusals read at each scrape. */
    public static InferenceMetrics on(ServiceMetrics service, ModelRegistry models, CheckpointIntake intake) {
        InferenceMetrics m = new InferenceMetrics(service.registry());
        MeterRegistry r = service.registry();
        FunctionCounter.builder("sentiflow.inference.swaps", intake, CheckpointIntake::swaps)
                .description("Checkpoints swapped in as the served version").register(r);
        FunctionCounter.builder("sentiflow.inference.rollout.decisions", intake, i -> i.rollouts().applied())
                .description("Committed rollout decisions applied (promote, reject, confirm, roll back)").register(r);
        Map<String, AtomicLong> served = new ConcurrentHashMap<>();
        service.beforeScrape(() -> {
            intake.refusals().keySet().forEach(reason -> FunctionCounter.builder(
                    "sentiflow.inference.checkpoints.refused", intake, i -> i.refusals().getOrDefault(reason, 0L))
                    .description("Checkpoint records refused, by reason").tag("reason", reason).register(r));
            models.versions().forEach((model, version) -> served.computeIfAbsent(model, name -> {
                AtomicLong holder = new AtomicLong();
                Gauge.builder("sentiflow.inference.served.version", holder, AtomicLong::get)
                        .description("The version each model serves").tag("model", name).register(r);
                return holder;
            }).set(version));
        });
        return m;
    }

    /** Meters nobody scrapes: for parts built without a service (tests, the offline commands). */
    public static InferenceMetrics unregistered() {
        return new InferenceMetrics(new SimpleMeterRegistry());
    }

    public void batch(int records, long nanos) {
        batchSize.record(records);
        batchTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void scored(Prediction p) {
        scored.computeIfAbsent(p.getModelName(), model -> Counter.builder("sentiflow.inference.records.scored")
                .description("Records scored, per model").tag("model", model).register(registry)).increment();
        long millis = p.getScoredAt().toEpochMilli() - p.getEventTime().toEpochMilli();
        latency.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    public void deadLettered(DeadLetterReason reason) {
        Counter.builder("sentiflow.inference.dead.letters").description("Records dead-lettered, by reason")
                .tag("reason", reason.name()).register(registry).increment();
    }

    /** A live-accuracy window inference published for a serving version. */
    public void liveWindow(LiveMetrics m) {
        if (m.getLabeledCount() == 0 || m.getDecision() != null) {
            return;
        }
        // One series per task (input partition): each scores other records, and a gauge shared by the tasks
        // would flip between their windows. Dashboards average over task.
        String task = m.getTask() == null ? "" : m.getTask();
        String key = m.getModelName() + " " + m.getModelVersion() + " " + m.getRole() + " " + task;
        live.computeIfAbsent(key, k -> {
            AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
            Gauge.builder("sentiflow.inference.live.accuracy", holder, AtomicReference::get)
                    .description("Accuracy of the newest live window (labeled records) of a version on one input "
                            + "partition (task), per role")
                    .tags(Tags.of("model", m.getModelName(), "version", String.valueOf(m.getModelVersion()),
                            "role", m.getRole().name(), "task", task))
                    .register(registry);
            return holder;
        }).set(m.getAccuracy());
    }
}
