package dev.sentiflow.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for the Confluent Schema Registry REST API (also served by Apicurio at
 * {@code /apis/ccompat/v7}, Karapace and Redpanda).
 *
 * <p>Registered ids and fetched schemas are cached forever: ids are immutable in the registry.
 * Connection failures, timeouts, 408, 429 and 5xx answers are retried with exponential backoff, all
 * attempts together within {@link RetryPolicy#totalTimeout()}: callers run inside a Kafka transaction
 * (10 s under exactly-once), so a registry outage must fail fast and be retried from the last commit,
 * not hold the transaction open. Other 4xx answers are not retried: a 409 becomes an
 * {@link IncompatibleSchemaException}, a 404 with error code 40403 an {@link UnknownSchemaIdException},
 * any other 404 and 401/403 a {@link RegistryConfigurationException}.
 *
 * <p>No cache is filled inside {@code computeIfAbsent}: a map's lock must never be held across a
 * network call (concurrent stream threads would queue behind one slow request).
 */
public final class SchemaRegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final String authorization;
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    /**
     * Retry settings: attempts in all (at least 1), the first backoff (doubled each time), the longest
     * one request may take, and the longest all attempts and backoffs together may take.
     */
    public record RetryPolicy(int attempts, Duration firstBackoff, Duration requestTimeout, Duration totalTimeout) {
        /** Well inside the 10 s transaction timeout Streams sets under exactly-once. */
        public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofSeconds(5);
        public static final RetryPolicy DEFAULT =
                new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(2), DEFAULT_TOTAL_TIMEOUT);

        public RetryPolicy {
            if (attempts < 1) {
                throw new IllegalArgumentException("registry retry attempts must be >= 1, got " + attempts);
            }
            if (requestTimeout.isNegative() || requestTimeout.isZero() || totalTimeout.isNegative()
                    || totalTimeout.isZero()) {
                throw new IllegalArgumentException("registry timeouts must be positive, got request " + requestTimeout
                        + ", total " + totalTimeout);
            }
        }

        /** With the default total timeout. */
        public RetryPolicy(int attempts, Duration firstBackoff, Duration requestTimeout) {
            this(attempts, firstBackoff, requestTimeout, DEFAULT_TOTAL_TIMEOUT);
        }
    }

    public SchemaRegistryClient(String baseUrl) {
        this(baseUrl, RetryPolicy.DEFAULT, RegistryAccess.NONE);
    }

    public SchemaRegistryClient(String baseUrl, RetryPolicy retry) {
        this(baseUrl, retry, RegistryAccess.NONE);
    }

    public SchemaRegistryClient(String baseUrl, RetryPolicy retry, RegistryAccess access) {
        if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
            throw new IllegalArgumentException("schema registry url must start with http:// or https://, got '"
                    + baseUrl + "'");
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.retry = retry;
        this.authorization = access.authorizationHeader();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(min(retry.requestTimeout(),
                retry.totalTimeout()));
        if (access.sslContext() != null) {
            builder.sslContext(access.sslContext());
        }
        this.http = builder.build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Registers the schema under the subject (or finds it already there) and returns its global id. */
    public int register(String subject, Schema schema) {
        return idOf(subject, schema, "register schema under subject '" + subject + "'",
                "/subjects/" + encode(subject) + "/versions");
    }

    /** The id of a schema already registered under the subject, without registering it. */
    public int lookup(String subject, Schema schema) {
        return idOf(subject, schema, "look up schema under subject '" + subject + "'", "/subjects/" + encode(subject));
    }

    private int idOf(String subject, Schema schema, String what, String path) {
        String key = subject + '\u0000' + schema.toString();
        Integer cached = idsBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send(what, post(path, schemaBody(schema)), subject);
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException("registry answered without an id when asked to " + what + ": " + answer,
                    200);
        }
        idsBySubjectAndSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        LOG.info("schema id {} for subject {} from registry {}", id, subject, baseUrl);
        return id;
    }

    /** The writer schema with this global id. */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Schema fetched = fetchSchema(id);
        Schema raced = schemasById.putIfAbsent(id, fetched);
        return raced != null ? raced : fetched;
    }

    /** Sets the subject's compatibility level (BACKWARD, FORWARD, FULL, NONE, and the _TRANSITIVE forms). */
    public void setCompatibility(String subject, String level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level);
        send("set compatibility of subject '" + subject + "'",
                request("/config/" + encode(subject)).PUT(HttpRequest.BodyPublishers.ofString(body.toString())),
                subject);
    }

    /** Whether the schema could be registered under the subject without breaking its compatibility rule. */
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode answer = send("check compatibility under subject '" + subject + "'",
                post("/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema)), subject);
        return answer.path("is_compatible").asBoolean(false);
    }

    private Schema fetchSchema(int id) {
        JsonNode answer = send("fetch schema id " + id, request("/schemas/ids/" + id).GET(), null);
        String text = answer.path("schema").asText(null);
        if (text == null) {
            throw new SchemaRegistryException("registry returned no schema text for id " + id, 200);
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException("schema id " + id + " is not valid Avro: " + e.getMessage(), 200, e);
        }
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private HttpRequest.Builder post(String path, String body) {
        return request(path).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private JsonNode send(String what, HttpRequest.Builder builder, String subject) {
        long begin = System.nanoTime();
        long deadline = begin + retry.totalTimeout().toNanos();
        Duration backoff = retry.firstBackoff();
        Exception lastError = null;
        int lastStatus = 0;
        int attempt = 0;
        while (true) {
            attempt++;
            // One attempt may not outlast the budget: the JDK's request timeout alone does not bound
            // the connect phase everywhere, so the future is awaited with the same limit.
            Duration timeout = min(retry.requestTimeout(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            CompletableFuture<HttpResponse<String>> pending =
                    http.sendAsync(builder.copy().timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            try {
                HttpResponse<String> response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
                }
                if (!retryable(status)) {
                    throw refusal(what, subject, status, response.body());
                }
                lastStatus = status;
                lastError = new IOException("HTTP " + status + " " + errorMessage(response.body()));
            } catch (TimeoutException e) {
                pending.cancel(true);
                lastError = new IOException("no answer within " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof SSLHandshakeException tls) {
                    // An untrusted certificate does not become trusted by asking again.
                    throw new RegistryConfigurationException("TLS handshake with registry " + baseUrl + " failed when "
                            + "asked to " + what + ": " + tls.getMessage() + " (check "
                            + "schema.registry.ssl.truststore.location)", 0, -1);
                }
                if (!(e.getCause() instanceof IOException io)) {
                    throw new SchemaRegistryException("registry " + baseUrl + ": unexpected failure trying to " + what
                            + ": " + e.getCause(), 0, e.getCause());
                }
                lastError = io;
            } catch (IOException e) {
                lastError = e; // an unparsable 2xx body
            } catch (InterruptedException e) {
                pending.cancel(true);
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while trying to " + what, lastStatus, e);
            }
            long left = deadline - System.nanoTime();
            if (attempt >= retry.attempts() || left <= backoff.toNanos()) {
                break;
            }
            LOG.warn("schema registry {} attempt {}/{} to {} failed ({}); retrying in {} ms", baseUrl, attempt,
                    retry.attempts(), what, lastError.toString(), backoff.toMillis());
            sleep(backoff);
            backoff = backoff.multipliedBy(2);
        }
        throw new RegistryUnavailableException("schema registry " + baseUrl + " is unavailable: could not " + what
                + " after " + attempt + " attempts in " + (System.nanoTime() - begin) / 1_000_000 + " ms (last error: "
                + lastError + ")", lastStatus, lastError);
    }

    /** Answers that may change if asked again: request timeout, rate limit, server trouble. */
    private static boolean retryable(int status) {
        return status == 408 || status == 429 || status / 100 == 5;
    }

    private SchemaRegistryException refusal(String what, String subject, int status, String body) {
        int code = errorCode(body);
        String message = errorMessage(body);
        if (status == 409) {
            return new IncompatibleSchemaException("registry " + baseUrl + " refused to " + what
                    + ": the schema is incompatible with the subject's existing versions under its "
                    + "compatibility rule (" + message + ")");
        }
        if (status == 404 && code == SchemaRegistryException.SCHEMA_NOT_FOUND) {
            return new UnknownSchemaIdException("registry " + baseUrl + " could not " + what + ": " + message);
        }
        if (status == 404 && code > 0) {
            return new RegistryConfigurationException("registry " + baseUrl + " could not " + what + ": " + message
                    + " (error code " + code + (subject == null ? "" : "; is subject '" + subject
                    + "' registered, or should auto-registration be on?") + ")", status, code);
        }
        if (status == 404) {
            return new RegistryConfigurationException("registry " + baseUrl + " answered HTTP 404 without a registry "
                    + "error code when asked to " + what + ": is schema.registry.url right? (Apicurio serves the "
                    + "Confluent API under /apis/ccompat/v7) " + message, status, code);
        }
        if (status == 401 || status == 403) {
            return new RegistryConfigurationException("registry " + baseUrl + " refused our credentials (HTTP "
                    + status + ") when asked to " + what + ": check schema.registry.basic.auth.user.info: " + message,
                    status, code);
        }
        return new SchemaRegistryException("registry " + baseUrl + " refused to " + what + ": HTTP " + status + " "
                + message, status, code, null);
    }

    /** Confluent's numeric {@code error_code} from an error body, or -1. */
    private static int errorCode(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.path("error_code").canConvertToInt()) {
                return node.path("error_code").asInt();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: no code
        }
        return -1;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String errorMessage(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.has("message")) {
                return node.get("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: show it raw
        }
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
