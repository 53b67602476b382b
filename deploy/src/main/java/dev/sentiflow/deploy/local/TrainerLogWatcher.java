package dev.sentiflow.deploy.local;

import dev.sentiflow.trainer.metrics.RoundProgress;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Follows the trainer child's log for its {@link RoundProgress} lines: a round's metrics reach
 * {@code training.metrics} only when it commits, so the log is the one live view of a round in
 * progress. Reads only what was appended since the last call.
 */
final class TrainerLogWatcher {

    private static final int MAX_READ = 1 << 20;

    private final Path log;
    private long position;
    private String partial = "";
    private Optional<RoundProgress> latest = Optional.empty();

    TrainerLogWatcher(Path log) {
        this.log = log;
    }

    /** The newest progress line so far, if a round has logged one. */
    synchronized Optional<RoundProgress> latest() {
        if (!Files.isReadable(log)) {
            return latest;
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            if (length < position) { // a new log: start over
                position = 0;
                partial = "";
            }
            if (length - position > MAX_READ) { // far behind: only the end can hold the newest line
                position = length - MAX_READ;
                partial = "";
            }
            byte[] bytes = new byte[(int) (length - position)];
            file.seek(position);
            file.readFully(bytes);
            position = length;
            String text = partial + new String(bytes, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            partial = end < 0 ? text : text.substring(end + 1);
            if (end >= 0) {
                for (String line : text.substring(0, end).split("\n")) {
                    RoundProgress.find(line).ifPresent(p -> latest = Optional.of(p));
                }
            }
        } catch (IOException e) {
            // the next tick tries again; a status line never fails for the log
        }
        return latest;
    }
}
