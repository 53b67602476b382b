package dev.sentiflow.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the pause fault tests do to an app's own JVM: wait until its log says its Streams app runs,
 * then stop it with SIGSTOP (as a long GC pause or a frozen container would) and continue it with
 * SIGCONT. Linux and macOS ({@code kill}).
 */
public final class PausedProcess {

    private PausedProcess() {
    }

    /** Waits until the Streams app in {@code app} logs its move to RUNNING; fails if it exits or takes 2 minutes. */
    public static void awaitRunning(Process app, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!Files.readString(log).contains("-> RUNNING")) {
            if (!app.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the app did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100); // polling the app's log under the deadline above
        }
    }

    /** SIGSTOP for {@code pause}, then SIGCONT. */
    public static void pause(Process app, Duration pause) throws IOException, InterruptedException {
        signal(app, "-STOP");
        try {
            Thread.sleep(pause.toMillis());
        } finally {
            signal(app, "-CONT");
        }
    }

    private static void signal(Process app, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(app.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill " + signal + " " + app.pid() + " exited with " + kill.exitValue());
        }
    }
}
