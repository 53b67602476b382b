package dev.sentiflow.deploy.local;

import java.nio.file.Path;
import java.util.List;

/** A child that exited while nobody asked it to: which one, how, and what it said last. */
public record ChildDeath(String name, long pid, int exitCode, Path log, List<String> lastLines) {

    public ChildDeath {
        lastLines = List.copyOf(lastLines);
    }

    public String describe() {
        StringBuilder text = new StringBuilder(name).append(" (pid ").append(pid).append(") exited unexpectedly with code ")
                .append(exitCode).append(exitCode > 128 ? " (signal " + (exitCode - 128) + ")" : "")
                .append("; last lines of ").append(log).append(':');
        lastLines.forEach(line -> text.append("\n  | ").append(line));
        return text.toString();
    }
}
