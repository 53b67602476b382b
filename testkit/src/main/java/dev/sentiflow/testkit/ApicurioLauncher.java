package dev.sentiflow.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * How to run the Apicurio Registry server from its unpacked distribution: where the runner jar is,
 * the command line that binds it (and its management port) to 127.0.0.1, and the wait until its
 * Confluent-compatible API answers.
 *
 * <p>Two owners start it this way and each keeps its own {@link Process}: {@link ApicurioRegistry}
 * for integration tests (in-memory storage, log in a temp file) and the local stack's
 * {@code LocalRegistry} in {@code deploy/} (file-backed storage, log under the work folder, watched
 * with the other children). Only JDK classes are used here, so the launcher can depend on this
 * without pulling Kafka's test kit.
 */
public final class ApicurioLauncher {

    public static final String RUNNER = "apicurio-registry-app-3.0.9-runner.jar";
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private ApicurioLauncher() {
    }

    /**
     * The runner jar under {@code apicurio.home} (system property, set by surefire and by the
     * {@code pipeline} script) or {@code APICURIO_HOME}; the build unpacks it into
     * {@code testkit/target/apicurio}.
     */
    public static Path locateRunner() {
        String home = System.getProperty("apicurio.home", System.getenv("APICURIO_HOME"));
        if (home == null) {
            throw new IllegalStateException("apicurio.home is not set: run through Maven or ./pipeline (which unpack "
                    + "the registry into testkit/target/apicurio) or set APICURIO_HOME to the unpacked folder");
        }
        Path dir = Path.of(home);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("apicurio.home " + dir + " does not exist: run "
                    + "'mvn -pl testkit generate-resources' to unpack the registry");
        }
        try (Stream<Path> found = Files.find(dir, 3, (p, a) -> p.getFileName().toString().equals(RUNNER))) {
            return found.findFirst().orElseThrow(() -> new IllegalStateException(
                    RUNNER + " not found under " + dir + ": run 'mvn -pl testkit generate-resources' to unpack it"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read apicurio.home " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The server's command line: loopback only, a small serial-GC heap (it holds a few schemas), and
     * {@code properties} as {@code -D} settings (e.g. {@link #fileStorage}).
     */
    public static List<String> command(Path runner, int port, int managementPort, Map<String, String> properties) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.level=WARN"));
        new TreeMap<>(properties).forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(runner.toString());
        return command;
    }

    /**
     * Settings that keep the registry's data in an H2 database file under {@code dir} instead of
     * memory, so schema ids survive a restart (3.0.9 ships the H2 driver; its default is
     * {@code jdbc:h2:mem:}). Records already on a topic name those ids.
     */
    public static Map<String, String> fileStorage(Path dir) {
        return Map.of("apicurio.storage.kind", "sql",
                "apicurio.storage.sql.kind", "h2",
                "apicurio.datasource.url", "jdbc:h2:file:" + dir.toAbsolutePath().resolve("registry"));
    }

    public static String confluentApiUrl(int port) {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    /**
     * Waits until {@code GET subjects} answers 200, failing early when the process exits; the
     * exception carries {@code diagnostics} (where the log is, its last lines).
     */
    public static void awaitReady(String confluentApiUrl, Process process, Duration timeout,
                                  Supplier<String> diagnostics) {
        awaitReady(confluentApiUrl, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(), null,
                process, timeout, diagnostics);
    }

    /** {@link #awaitReady(String, Process, Duration, Supplier)} with this client and Authorization header (or null). */
    public static void awaitReady(String confluentApiUrl, HttpClient http, String authorization, Process process,
                                  Duration timeout, Supplier<String> diagnostics) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(confluentApiUrl + "/subjects"))
                .timeout(Duration.ofSeconds(5)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpRequest probe = request.build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio registry exited with code " + process.exitValue()
                        + " during start-up; " + diagnostics.get());
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Apicurio registry", e);
            }
            try {
                // Poll interval of a deadline-bounded wait, not a fixed sleep standing in for readiness.
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Apicurio registry", e);
            }
        }
        throw new IllegalStateException("Apicurio registry did not answer within " + timeout.toSeconds() + " s; "
                + diagnostics.get());
    }

    /** A port free on 127.0.0.1 right now (the usual small race: something else may take it first). */
    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
