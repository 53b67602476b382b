package dev.sentiflow.deploy.local;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The broker and registry of a finished local stack, started again on its folder's data (same
 * ports, topics, offsets and schema ids) for reading it, e.g. by {@code pipeline report}; no service
 * is started and nothing is written to the topics. Closing stops both. The folder must be one that
 * {@code pipeline local} made and ran: an empty or foreign folder is refused, never formatted.
 */
public final class ReopenedStack implements AutoCloseable {

    private static final Duration GRACE = Duration.ofSeconds(30);

    private final ChildProcesses children;
    private final WorkFolder folder;
    private final String bootstrapServers;
    private final String registryUrl;

    private ReopenedStack(ChildProcesses children, WorkFolder folder, String bootstrapServers, String registryUrl) {
        this.children = children;
        this.folder = folder;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    /**
     * Why {@code dir} cannot be reopened, or null when it can: it must exist, carry the local stack's
     * marker and hold a formatted broker.
     */
    public static String problem(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            return root + " does not exist: give the --workdir of a ./pipeline local run";
        }
        if (!Files.exists(root.resolve(WorkFolder.MARKER))) {
            return root + " is not a local-stack work folder (no " + WorkFolder.MARKER + "): give the --workdir of a "
                    + "./pipeline local run";
        }
        if (!Files.exists(root.resolve("kafka/server.properties")) || !Files.exists(root.resolve("kafka/data/meta.properties"))) {
            return root + " holds no broker data yet: ./pipeline local --workdir " + dir + " has not run to the point "
                    + "of starting its broker";
        }
        return null;
    }

    /** Starts the folder's broker and registry; {@code out} gets one line as each is ready. */
    public static ReopenedStack open(Path dir, PrintStream out) throws InterruptedException {
        String problem = problem(dir);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        Path root = dir.toAbsolutePath().normalize();
        WorkFolder folder;
        try {
            // Held while reopened, so no ./pipeline local (--fresh above all) starts on the data under our feet.
            folder = WorkFolder.open(root, false);
        } catch (IllegalStateException running) {
            throw new IllegalArgumentException(running.getMessage() + "; while it runs, point report at it: its "
                    + "addresses are in " + root.resolve(WorkFolder.CLIENT_PROPERTIES), running);
        }
        ChildProcesses children = new ChildProcesses(root.resolve("logs"), GRACE, death -> { });
        try {
            long begin = System.nanoTime();
            CompletableFuture<LocalRegistry> registry = CompletableFuture.supplyAsync(
                    () -> LocalRegistry.start(children, root));
            LocalKafka kafka = LocalKafka.start(children, root);
            out.printf(Locale.ROOT, "report: broker %s ready in %.1f s (existing data)%n", kafka.bootstrapServers(),
                    (System.nanoTime() - begin) / 1e9);
            String url;
            try {
                url = registry.join().url();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            out.printf(Locale.ROOT, "report: registry %s ready in %.1f s%n", url, (System.nanoTime() - begin) / 1e9);
            return new ReopenedStack(children, folder, kafka.bootstrapServers(), url);
        } catch (RuntimeException | InterruptedException e) {
            children.close();
            folder.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registryUrl;
    }

    @Override
    public void close() {
        children.close();
        folder.close();
    }
}
