package dev.sentiflow.inference.live;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.inference.metrics.InferenceMetrics;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Receives the task's labeled predictions and, every {@code interval} of wall-clock time, publishes
 * the live accuracy and macro-F1 of each version that scored some since the last report to the
 * live-metrics topic. The windows live in memory: after a crash they start empty again, which only
 * delays the next report (metrics, unlike predictions, are an estimate; each report says how many
 * labeled records it covers). One report per task, so per input partition, named in {@code task}. Rollout decisions reach
 * it as ready LiveMetrics records and pass straight to the topic.
 */
public final class LiveQualityProcessor implements Processor<Object, Object, Object, Object> {

    private final LiveQuality quality;
    private final Duration interval;
    private final String sink;
    private final InferenceMetrics metrics;
    private ProcessorContext<Object, Object> context;

    public LiveQualityProcessor(LiveQuality quality, Duration interval, String sink, InferenceMetrics metrics) {
        this.quality = quality;
        this.metrics = metrics;
        this.interval = interval;
        this.sink = sink;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::report);
    }

    @Override
    public void process(Record<Object, Object> record) {
        if (record.value() instanceof LiveMetrics decision) {
            context.forward(record, sink); // a rollout decision: published as it is
        } else if (record.value() instanceof Prediction p && p.getTrueLabel() != null) {
            quality.add(p.getModelName(), p.getModelVersion(), p.getDomain(), p.getTrueLabel(), p.getLabel(),
                    p.getScoredAt().toEpochMilli());
        }
    }

    private void report(long nowMillis) {
        for (LiveMetrics m : quality.changed(Instant.ofEpochMilli(nowMillis))) {
            m.setTask(context.taskId().toString()); // readers add up the windows of all tasks
            context.forward(new Record<Object, Object>(m.getModelName(), m, nowMillis), sink);
            metrics.liveWindow(m);
        }
        quality.retainNewest(2);
    }
}
