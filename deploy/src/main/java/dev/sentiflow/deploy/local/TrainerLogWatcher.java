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

    TrainerLogWatcher(Path log) {
        this.lines = new AppendedLines(log);
    }

    /** The newest progress line so far, if a round has logged one. */
    synchronized Optional<RoundProgress> latest() {
        for (String line : lines.next()) {
            RoundProgress.find(line).ifPresent(p -> latest = Optional.of(p));
        }
        return latest;
    }
}
