package dev.sentiflow.deploy.local;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole lines a child's log gained since the last call, so a watcher reads each line once
 * however long the run. A log that shrank is a new log (read from its start); one far ahead is read
 * from near its end only. Not thread-safe: each watcher owns one.
 */
final class AppendedLines {

    private static final int MAX_READ = 1 << 20;

    private final Path log;
    private long position;
    private String partial = "";

    AppendedLines(Path log) {
        this.log = log;
    }

    /** The lines completed since the last call; none when the log is missing or cannot be read now. */
    List<String> next() {
        if (!Files.isReadable(log)) {
            return List.of();
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            if (length < position) {
                position = 0;
                partial = "";
            }
            if (length - position > MAX_READ) {
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
            return end < 0 ? List.of() : List.of(text.substring(0, end).split("\r?\n"));
        } catch (IOException e) {
            return List.of(); // the next call tries again; a watcher never fails for the log
        }
    }
}
