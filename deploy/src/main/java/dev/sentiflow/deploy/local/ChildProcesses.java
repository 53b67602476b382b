package dev.sentiflow.deploy.local;

import dev.sentiflow.schemas.config.ConfigSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Every process the local stack starts, in one place, so none outlives it.
 *
 * <ul>
 *   <li>Each child's output goes to {@code <logs>/<name>.log}.</li>
 *   <li>A child that exits while nobody asked it to is reported once as a {@link ChildDeath} (name,
 *       exit code, last log lines) and then every other child is stopped: a stack missing its broker
 *       or registry is not worth keeping half alive.</li>
 *   <li>{@link #stopAll()} stops children newest first (services before the registry and broker
 *       they need to shut down cleanly): SIGTERM, then SIGKILL after the grace period.</li>
 *   <li>A JVM shutdown hook calls {@link #stopAll()}, so Ctrl-C or SIGTERM to the launcher leaves
 *       no child running. (SIGKILL cannot be caught; nothing then stops the children.)</li>
 * </ul>
 */
public final class ChildProcesses implements AutoCloseable {

    /** How the line each start writes into its child's log begins (logs are appended to across runs). */
    static final String START_LINE = "---- ";


    /** A started child. */
    public record Child(String name, Process process, Path log) {
        public long pid() {
            return process.pid();
        }
    }

    private static final int TAIL_LINES = 20;

    private final Path logDir;
    private final Duration grace;
    private final Consumer<ChildDeath> onDeath;
    private final List<Child> children = new ArrayList<>();
    /** Short-lived helpers running now ({@link #run}): stopped with the rest, never left behind. */
    private final java.util.Set<Process> helpers = new java.util.HashSet<>();
    private final CompletableFuture<ChildDeath> firstDeath = new CompletableFuture<>();
    private final Thread hook;
    private boolean stopping;

    /**
     * @param onDeath told about an unexpected death (on a watcher thread) after the others were stopped
     */
    public ChildProcesses(Path logDir, Duration grace, Consumer<ChildDeath> onDeath) {
        this.logDir = logDir;
        this.grace = grace;
        this.onDeath = onDeath;
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create log folder " + logDir, e);
        }
        this.hook = new Thread(this::stopAll, "local-stack-stop-children");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts a long-running child and watches it. */
    public synchronized Child start(String name, List<String> command, Path workingDir, Map<String, String> env) {
        if (stopping) {
            throw new IllegalStateException("not starting " + name + ": the stack is stopping");
        }
        Path log = logDir.resolve(name + ".log");
        Process process = launch(name, command, workingDir, env, log);
        Child child = new Child(name, process, log);
        children.add(child);
        process.onExit().thenAccept(p -> exited(child));
        return child;
    }

    /**
     * Runs a short-lived helper (e.g. formatting the broker's storage) to completion and returns its
     * exit code; output to {@code <logs>/<name>.log}. It is killed if it overruns the timeout.
     */
    public int run(String name, List<String> command, Duration timeout) throws InterruptedException {
        Path log = logDir.resolve(name + ".log");
        Process process;
        synchronized (this) {
            if (stopping) {
                throw new IllegalStateException("not running " + name + ": the stack is stopping");
            }
            process = launch(name, command, null, Map.of(), log);
            helpers.add(process);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(name + " did not finish within " + timeout.toSeconds() + " s; see "
                        + log);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        } finally {
            synchronized (this) {
                helpers.remove(process);
            }
        }
    }

    public Path logOf(String name) {
        return logDir.resolve(name + ".log");
    }

    /** The first unexpected death, once there is one. */
    public CompletableFuture<ChildDeath> firstDeath() {
        return firstDeath;
    }

    /** Waits up to the timeout for an unexpected death. */
    public Optional<ChildDeath> awaitDeath(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(firstDeath.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Whether the set is stopping (a child died, or it was asked to): nothing new starts. */
    public synchronized boolean stopping() {
        return stopping;
    }

    public synchronized List<Child> children() {
        return List.copyOf(children);
    }

    /** Stops every child, newest first; safe to call again and from several threads. */
    public void stopAll() {
        List<Child> toStop;
        List<Process> helping;
        synchronized (this) {
            stopping = true;
            toStop = new ArrayList<>(children);
            helping = new ArrayList<>(helpers);
        }
        helping.forEach(Process::destroyForcibly);
        for (int i = toStop.size() - 1; i >= 0; i--) {
            stop(toStop.get(i));
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or has run
        }
    }

    private void stop(Child child) {
        Process process = child.process();
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("local: " + child.name() + " did not stop within " + grace.toSeconds()
                        + " s of SIGTERM; killing it");
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void exited(Child child) {
        synchronized (this) {
            if (stopping) {
                return;
            }
            // Claim the shutdown before stopping anyone, so the children stopped below do not report too.
            stopping = true;
        }
        ChildDeath death = new ChildDeath(child.name(), child.pid(), child.process().exitValue(), child.log(),
                LogTail.lastLines(child.log(), TAIL_LINES));
        // Not on this watcher thread: stopping waits for processes, and onExit callbacks share a pool.
        Thread stopper = new Thread(() -> {
            stopAll();
            firstDeath.complete(death);
            onDeath.accept(death);
        }, "local-stack-after-" + child.name());
        stopper.start();
    }

    private static Process launch(String name, List<String> command, Path workingDir, Map<String, String> env, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        if (workingDir != null) {
            builder.directory(workingDir.toFile());
        }
        Map<String, String> environment = builder.environment();
        Map<String, String> wanted = environment(environment, env);
        environment.clear();
        environment.putAll(wanted);
        try {
            Files.writeString(log, START_LINE + java.time.Instant.now() + " starting " + name + ": "
                            + shown(command) + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    /**
     * A child's environment: this process's, without the variables that set service options (a shell
     * that exported {@code SENTIFLOW_BOOTSTRAP_SERVERS} for a real cluster would point the local stack's
     * services at it, and an option one service does not know would stop it), plus {@code extra}.
     */
    static Map<String, String> environment(Map<String, String> inherited, Map<String, String> extra) {
        Map<String, String> out = new java.util.HashMap<>(inherited);
        out.keySet().removeIf(ConfigSources::isOptionVariable);
        out.putAll(extra);
        return out;
    }

    /** The command for the log, with the (long, always the same) class path shortened. */
    private static String shown(List<String> command) {
        List<String> words = new ArrayList<>(command);
        int cp = words.indexOf("-cp");
        if (cp >= 0 && cp + 1 < words.size()) {
            words.set(cp + 1, "<" + words.get(cp + 1).split(java.io.File.pathSeparator).length + " class path entries>");
        }
        return String.join(" ", words);
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
