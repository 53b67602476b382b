package dev.sentiflow.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry server (in-memory storage) as a child process bound to 127.0.0.1.
 *
 * <p>The build unpacks {@code io.apicurio:apicurio-registry-app:tar.gz:all} into
 * {@code testkit/target/apicurio}; the system property {@code apicurio.home} (set by surefire) or the
 * environment variable {@code APICURIO_HOME} points at it. Clients use the Confluent-compatible API at
 * {@link #confluentApiUrl()}. The child's output goes to a log file whose path failures name.
 */
public final class ApicurioRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApicurioRegistry.class);
    private static final String RUNNER = "apicurio-registry-app-3.0.9-runner.jar";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

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
        Path runner = locateRunner();
        int port = freePort();
        int managementPort = freePort();
        try {
            Path log = Files.createTempFile("apicurio-" + port + "-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.http.port=" + port,
                    "-Dquarkus.management.host=127.0.0.1",
                    "-Dquarkus.management.port=" + managementPort,
                    "-Dquarkus.log.level=WARN",
                    "-jar", runner.toString()));
            long begin = System.nanoTime();
            Process process = new ProcessBuilder(command)
                    .directory(runner.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            ApicurioRegistry registry = new ApicurioRegistry(process, port, log);
            registry.awaitReady();
            LOG.info("Apicurio registry ready at {} in {} ms (log {})", registry.confluentApiUrl(),
                    (System.nanoTime() - begin) / 1_000_000, log);
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Apicurio registry from " + runner, e);
        }
    }

    /** Base URL of the Confluent-compatible REST API, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    public String confluentApiUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    public int port() {
        return port;
    }

    /** Kills the server, for tests of what clients do when the registry goes away. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(confluentApiUrl() + "/subjects"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio registry exited with code " + process.exitValue()
                        + " during start-up; see " + log + tail());
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep(200);
        }
        close();
        throw new IllegalStateException("Apicurio registry did not answer within " + STARTUP_TIMEOUT.toSeconds()
                + " s; see " + log + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    static Path locateRunner() {
        String home = System.getProperty("apicurio.home", System.getenv("APICURIO_HOME"));
        if (home == null) {
            throw new IllegalStateException("apicurio.home is not set: run the tests through Maven (which unpacks "
                    + "the registry into testkit/target/apicurio) or set APICURIO_HOME to the unpacked folder");
        }
        Path dir = Path.of(home);
        try (Stream<Path> found = Files.find(dir, 3, (p, a) -> p.getFileName().toString().equals(RUNNER))) {
            return found.findFirst().orElseThrow(() -> new IllegalStateException(
                    RUNNER + " not found under " + dir + ": run 'mvn -pl testkit generate-resources' to unpack it"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read apicurio.home " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
