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

    /**
     * A registry reached only over TLS, with HTTP basic auth for one user: the server's own settings
     * (Quarkus' TLS port and embedded users, which the 3.0.9 distribution carries), no proxy in front.
     */
    public record Secured(TlsFiles tls, String user, String password) {

        Map<String, String> serverSettings(int sslPort) {
            Map<String, String> s = new java.util.HashMap<>();
            s.put("quarkus.http.ssl-port", String.valueOf(sslPort));
            s.put("quarkus.http.ssl.certificate.key-store-file", tls.keyStore().toString());
            s.put("quarkus.http.ssl.certificate.key-store-password", tls.password());
            s.put("quarkus.http.insecure-requests", "disabled");
            s.put("quarkus.http.auth.basic", "true");
            s.put("quarkus.security.users.embedded.enabled", "true");
            s.put("quarkus.security.users.embedded.plain-text", "true");
            s.put("quarkus.security.users.embedded.users." + user, password);
            s.put("quarkus.security.users.embedded.roles." + user, "sr-admin");
            s.put("quarkus.http.auth.permission.everything.paths", "/*");
            s.put("quarkus.http.auth.permission.everything.policy", "authenticated");
            return s;
        }

        /** The value of {@code schema.registry.basic.auth.user.info}. */
        public String userInfo() {
            return user + ":" + password;
        }

        String authorization() {
            return "Basic " + java.util.Base64.getEncoder().encodeToString(userInfo().getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private final Process process;
    private final int port;
    private final Path log;
    private final boolean tls;

    private ApicurioRegistry(Process process, int port, Path log, boolean tls) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.tls = tls;
    }

    /** Starts a registry on a free loopback port and waits until its ccompat API answers. */
    public static ApicurioRegistry start() {
        return start(null);
    }

    /** Starts a registry that answers only over TLS and to {@code secured}'s user; null: plain HTTP, no auth. */
    public static ApicurioRegistry start(Secured secured) {
        Path runner = ApicurioLauncher.locateRunner();
        int port = ApicurioLauncher.freeLoopbackPort();
        int managementPort = ApicurioLauncher.freeLoopbackPort();
        int httpPort = secured == null ? port : ApicurioLauncher.freeLoopbackPort();
        Map<String, String> settings = secured == null ? Map.of() : secured.serverSettings(port);
        try {
            Path log = Files.createTempFile("apicurio-" + port + "-", ".log");
            long begin = System.nanoTime();
            Process process = new ProcessBuilder(ApicurioLauncher.command(runner, httpPort, managementPort, settings))
                    .directory(runner.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            // A JVM stopped by SIGTERM (a benchmark, a test run interrupted) must not leave the server behind.
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "apicurio-" + port + "-stop"));
            ApicurioRegistry registry = new ApicurioRegistry(process, port, log, secured != null);
            try {
                java.net.http.HttpClient.Builder http = java.net.http.HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(2));
                if (secured != null) {
                    http.sslContext(secured.tls().clientContext());
                }
                ApicurioLauncher.awaitReady(registry.confluentApiUrl(), http.build(),
                        secured == null ? null : secured.authorization(), process, ApicurioLauncher.STARTUP_TIMEOUT,
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

    /**
     * Base URL of the Confluent-compatible REST API, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7};
     * {@code https://localhost:PORT/...} when secured (the certificate's name).
     */
    public String confluentApiUrl() {
        return tls ? "https://localhost:" + port + "/apis/ccompat/v7" : ApicurioLauncher.confluentApiUrl(port);
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
