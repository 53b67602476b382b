package dev.sentiflow.schemas.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's operations endpoint on the JDK's HTTP server: {@code GET /metrics} (Prometheus text
 * format), {@code /health/live} and {@code /health/ready} (200 or 503 with a one-line JSON reason, for
 * Kubernetes' probes). One daemon thread answers; a probe is asked on every request. The endpoint owns
 * the service's meters: closing it closes them, whether or not it served them.
 */
public final class OpsEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpsEndpoint.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final ServiceMetrics metrics;

    private OpsEndpoint(HttpServer server, ExecutorService executor, ServiceMetrics metrics) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
    }

    /**
     * Serves {@code metrics} and the two probes on the configured port; none when the port is 0. A
     * port that is taken fails the start with the option's name in the message.
     */
    public static OpsEndpoint start(String service, OpsSettings settings, ServiceMetrics metrics, Probe live,
            Probe ready) {
        if (!settings.enabled()) {
            return new OpsEndpoint(null, null, metrics);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
        } catch (IOException e) {
            metrics.close();
            throw new UncheckedIOException(service + ": cannot serve metrics on " + settings.host() + ":"
                    + settings.port() + " (" + OpsSettings.METRICS_PORT + "): " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, service + "-ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                answer(exchange, metrics, live, ready);
            } catch (RuntimeException e) {
                LOG.warn("{}: ops request {} failed: {}", service, exchange.getRequestURI(), e.toString());
            }
        });
        server.start();
        LOG.info("{}: metrics on http://{}:{}/metrics, probes /health/live and /health/ready", service,
                settings.host(), server.getAddress().getPort());
        return new OpsEndpoint(server, executor, metrics);
    }

    private static void answer(HttpExchange exchange, ServiceMetrics metrics, Probe live, Probe ready)
            throws IOException {
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            send(exchange, 405, "text/plain; charset=utf-8", "GET only\n");
            return;
        }
        switch (exchange.getRequestURI().getPath()) {
            case "/metrics" -> send(exchange, 200, PROMETHEUS_TEXT, metrics.scrape());
            case "/health/live" -> probe(exchange, live);
            case "/health/ready" -> probe(exchange, ready);
            default -> send(exchange, 404, "text/plain; charset=utf-8", "not found: /metrics, /health/live and "
                    + "/health/ready are served here\n");
        }
    }

    private static void probe(HttpExchange exchange, Probe probe) throws IOException {
        Probe.Result r;
        try {
            r = probe.check();
        } catch (RuntimeException e) {
            r = Probe.Result.down("the check failed: " + e);
        }
        send(exchange, r.ok() ? 200 : 503, "application/json", "{\"status\":\"" + (r.ok() ? "UP" : "DOWN")
                + "\",\"reason\":\"" + json(r.reason()) + "\"}\n");
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    static String json(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** The port it listens on (the configured one); 0 when there is no endpoint. */
    public int port() {
        return server == null ? 0 : server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
        metrics.close();
    }
}
