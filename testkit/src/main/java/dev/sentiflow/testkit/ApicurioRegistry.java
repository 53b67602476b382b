package dev.sentiflow.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry server (in-memory storage) as a child process bound to 127.0.0.1.
 *
 * <p>The build unpacks {@code io.apicurio:apicurio-registry-app:tar.gz:all} into
 * {@code testkit/target/apicurio}; the system property {@code apicurio.home} (set by surefire) or the
 * environment variable {@code APICURIO_HOME} points at it (see {@link ApicurioLauncher}). Clients use
 * the Confluent-compatible API at {@link #confluentApiUrl()}. The child's output goes to a log file
 * whose path failures name.
 */
public final class ApicurioRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApicurioRegistry.class);

    private final Process process;
    private final int port;
    private final Path log;

    private ApicurioRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a registry on a free loopback port and waits until its ccompat API answers. */
    public static ApicurioRegistry start() {
        Path runner = ApicurioLauncher.locateRunner();
        int port = ApicurioLauncher.freeLoopbackPort();
        int managementPort = ApicurioLauncher.freeLoopbackPort();
        try {
            Path log = Files.createTempFile("apicurio-" + port + "-", ".log");
            long begin = System.nanoTime();
            Process process = new ProcessBuilder(ApicurioLauncher.command(runner, port, managementPort, Map.of()))
                    .directory(runner.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            // A JVM stopped by SIGTERM (a benchmark, a test run interrupted) must not leave the server behind.
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "apicurio-" + port + "-stop"));
            ApicurioRegistry registry = new ApicurioRegistry(process, port, log);
            try {
                ApicurioLauncher.awaitReady(registry.confluentApiUrl(), process, ApicurioLauncher.STARTUP_TIMEOUT,
                        () -> "see " + log + registry.tail());
            } catch (RuntimeException e) {
                registry.close();
                throw e;
            }
            LOG.info("Apicurio registry ready at {} in {} ms (log {})", registry.confluentApiUrl(),
                    (System.nanoTime() - begin) / 1_000_000, log);
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Apicurio registry from " + runner, e);
        }
    }

    /** Base URL of the Confluent-compatible REST API, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    public String confluentApiUrl() {
        return ApicurioLauncher.confluentApiUrl(port);
    }

    public int port() {
        return port;
    }

    /** Kills the server, for tests of what clients do when the registry goes away. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
