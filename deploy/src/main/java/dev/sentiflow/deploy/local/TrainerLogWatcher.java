package dev.sentiflow.deploy.local;

import dev.sentiflow.trainer.metrics.RoundProgress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Follows the trainer child's log for its {@link RoundProgress} lines: a round's metrics reach
 * {@code training.metrics} only when it commits, so the log is the one live view of a round in
 * progress.
 */
final class TrainerLogWatcher {

    private final AppendedLines lines;
    private Optional<RoundProgress> latest = Optional.empty();
    private long readAtNanos;

    TrainerLogWatcher(Path log) {
        this.lines = new AppendedLines(log);
    }

    /** The newest progress line so far, if a round has logged one. */
    synchronized Optional<RoundProgress> latest() {
        return latest(System.nanoTime());
    }

    synchronized Optional<RoundProgress> latest(long nowNanos) {
        for (String line : lines.next()) {
            RoundProgress.find(line).ifPresent(p -> {
                latest = Optional.of(p);
                readAtNanos = nowNanos;
            });
        }
        return latest;
    }

    /**
     * The eta of {@code progress} (the latest line) counted down by the time since that line was read:
     * the trainer logs progress at most every half minute, and between its lines the status line's
     * eta moves with the clock instead of standing still. Never below 0.
     */
    synchronized long etaSecondsNow(RoundProgress progress, long nowNanos) {
        long since = Math.max(0, nowNanos - readAtNanos) / 1_000_000_000L;
        return Math.max(0, progress.etaSeconds() - since);
    }
}
