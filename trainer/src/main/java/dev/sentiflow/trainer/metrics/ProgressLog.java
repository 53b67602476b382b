package dev.sentiflow.trainer.metrics;

import dev.sentiflow.model.train.FineTuneListener;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Logs a {@link RoundProgress} line when a round starts, then at most once per interval, and at its
 * last step: a few lines per round however many steps it has.
 */
public final class ProgressLog implements FineTuneListener {

    private final String model;
    private final long version;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final Consumer<RoundProgress> out;
    private int totalSteps;
    private int epochs;
    private long startedAt;
    private long lastAt;

    public ProgressLog(String model, long version, long intervalNanos, LongSupplier clock, Consumer<RoundProgress> out) {
        this.model = model;
        this.version = version;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.out = out;
    }

    @Override
    public void onStart(int steps, int epochCount, int trainExamples) {
        totalSteps = steps;
        epochs = epochCount;
        startedAt = clock.getAsLong();
        lastAt = startedAt;
        out.accept(new RoundProgress(model, version, 1, epochs, 0, totalSteps, Double.NaN, 0));
    }

    @Override
    public void onStep(int epoch, int step, double loss, double learningRate, double gradNorm) {
        long now = clock.getAsLong();
        if (now - lastAt < intervalNanos && step < totalSteps) {
            return;
        }
        lastAt = now;
        long eta = step == 0 ? 0 : Math.round((now - startedAt) / 1e9 * Math.max(0, totalSteps - step) / step);
        out.accept(new RoundProgress(model, version, epoch, epochs, step, totalSteps, loss, eta));
    }
}
