package dev.sentiflow.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sentiflow.avro.Review;
import dev.sentiflow.schemas.serde.AvroSerializer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's retry, timeout and error mapping against a real HTTP server on 127.0.0.1 that
 * answers what a registry (or a wrong URL) would: 503, 429, 408, a hang, 404 with and without
 * Confluent's error code. Each answer is scripted per request number.
 */
class SchemaRegistryClientRetryTest {

    /** A scripted answer: status and body. */
    private record Answer(int status, String body, long delayMillis) {
        static Answer of(int status, String body) {
            return new Answer(status, body, 0);
        }
    }

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    private String serve(Function<Integer, Answer> script) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool()); // a hanging answer must not queue the next request
        server.createContext("/", exchange -> answer(exchange, script.apply(requests.incrementAndGet())));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7";
    }

    private void answer(HttpExchange exchange, Answer answer) throws IOException {
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        exchange.getRequestBody().readAllBytes();
        try {
            Thread.sleep(answer.delayMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aFailingRegistryIsGivenUpOnWithinTheTotalTimeout() throws Exception {
        String url = serve(n -> Answer.of(503, "{\"error_code\":50301,\"message\":\"overloaded\"}"));
        var policy = new SchemaRegistryClient.RetryPolicy(1000, Duration.ofMillis(50), Duration.ofMillis(500),
                Duration.ofMillis(1500));
        long begin = System.nanoTime();
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                () -> new SchemaRegistryClient(url, policy).schemaById(7));
        long millis = (System.nanoTime() - begin) / 1_000_000;
        assertTrue(millis < 1500 + 500, "took " + millis + " ms, budget 1500 ms");
        assertTrue(requests.get() > 2, "retried: " + requests.get() + " requests");
        assertEquals(503, e.status());
        assertTrue(e.getMessage().contains(url), e.getMessage());
    }

    @Test
    void aHangingRegistryCannotHoldACallerPastTheBudget() throws Exception {
        String url = serve(n -> new Answer(200, "{\"schema\":\"\\\"string\\\"\"}", 10_000));
        var policy = new SchemaRegistryClient.RetryPolicy(5, Duration.ofMillis(50), Duration.ofMillis(400),
                Duration.ofMillis(1000));
        long begin = System.nanoTime();
        assertThrows(RegistryUnavailableException.class, () -> new SchemaRegistryClient(url, policy).schemaById(7));
        long millis = (System.nanoTime() - begin) / 1_000_000;
        assertTrue(millis < 1000 + 500, "took " + millis + " ms, budget 1000 ms");
    }

    @Test
    void theDefaultPolicyFitsWellInsideTheTransactionTimeout() {
        var policy = SchemaRegistryClient.RetryPolicy.DEFAULT;
        assertTrue(policy.totalTimeout().compareTo(Duration.ofSeconds(6)) <= 0, policy.toString());
        assertTrue(policy.requestTimeout().compareTo(policy.totalTimeout()) < 0, policy.toString());
    }

    @Test
    void rateLimitAndRequestTimeoutAnswersAreRetried() throws Exception {
        String url = serve(n -> switch (n) {
            case 1 -> Answer.of(429, "{\"error_code\":42901,\"message\":\"slow down\"}");
            case 2 -> Answer.of(408, "");
            default -> Answer.of(200, "{\"schema\":\"\\\"string\\\"\"}");
        });
        var policy = new SchemaRegistryClient.RetryPolicy(5, Duration.ofMillis(10), Duration.ofSeconds(1));
        assertEquals("\"string\"", new SchemaRegistryClient(url, policy).schemaById(7).toString());
        assertEquals(3, requests.get());
    }

    @Test
    void anUnknownSchemaIdIsTheRecordsProblemAndNotRetried() throws Exception {
        String url = serve(n -> Answer.of(404, "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}"));
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class,
                () -> new SchemaRegistryClient(url).schemaById(7));
        assertEquals(40403, e.errorCode());
        assertEquals(1, requests.get());
    }

    @Test
    void aWrongUrlIsAConfigurationErrorNotAnUnknownId() throws Exception {
        String url = serve(n -> Answer.of(404, "<html>Not Found</html>"));
        RegistryConfigurationException e = assertThrows(RegistryConfigurationException.class,
                () -> new SchemaRegistryClient(url).schemaById(7));
        assertTrue(e.getMessage().contains("schema.registry.url"), e.getMessage());
        assertEquals(1, requests.get());
        // A subject that does not exist (lookup without auto-registration) is no unknown id either.
        server.stop(0);
        requests.set(0);
        String url2 = serve(n -> Answer.of(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}"));
        assertThrows(RegistryConfigurationException.class,
                () -> new SchemaRegistryClient(url2).lookup("x-value", Review.getClassSchema()));
    }

    @Test
    void refusedCredentialsAreAConfigurationError() throws Exception {
        String url = serve(n -> Answer.of(401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}"));
        RegistryConfigurationException e = assertThrows(RegistryConfigurationException.class,
                () -> new SchemaRegistryClient(url).schemaById(7));
        assertTrue(e.getMessage().contains("basic.auth"), e.getMessage());
    }

    @Test
    void basicAuthCredentialsAreSentWithEveryRequest() throws Exception {
        String url = serve(n -> Answer.of(200, "{\"id\":3}"));
        var client = new SchemaRegistryClient(url, SchemaRegistryClient.RetryPolicy.DEFAULT,
                new RegistryAccess("alice:s3cret:with:colons", null));
        assertEquals(3, client.register("x-value", Review.getClassSchema()));
        assertEquals(List.of("Basic " + java.util.Base64.getEncoder().encodeToString(
                "alice:s3cret:with:colons".getBytes(StandardCharsets.UTF_8))), authorizations);
        assertThrows(IllegalArgumentException.class, () -> new RegistryAccess("no-colon", null));
    }

    @Test
    void theSerializerRegistersOncePerTopicNotOncePerRecord() throws Exception {
        String url = serve(n -> Answer.of(200, "{\"id\":" + (10 + n) + "}"));
        var serializer = new AvroSerializer<Review>(new SchemaRegistryClient(url), Review.getClassSchema(), true,
                false);
        Review review = Review.newBuilder().setId("r").setText("t").setDomain("d").setEventTime(Instant.EPOCH).build();
        for (int i = 0; i < 100; i++) {
            serializer.serialize("a", review);
            serializer.serialize("b", review);
        }
        assertEquals(2, requests.get(), "one registration per topic");
    }
}
