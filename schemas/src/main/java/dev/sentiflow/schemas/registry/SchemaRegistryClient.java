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
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for the Confluent Schema Registry REST API (also served by Apicurio at
 * {@code /apis/ccompat/v7}, Karapace and Redpanda).
 *
 * <p>Registered ids and fetched schemas are cached forever: ids are immutable in the registry.
 * Connection failures and 5xx answers are retried with exponential backoff; 4xx answers are not,
 * and a 409 becomes an {@link IncompatibleSchemaException} naming the subject.
 */
public final class SchemaRegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    /** Retry settings: attempts in all (at least 1) and the first backoff, doubled each time. */
    public record RetryPolicy(int attempts, Duration firstBackoff, Duration requestTimeout) {
        public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));

        public RetryPolicy {
            if (attempts < 1) {
                throw new IllegalArgumentException("registry retry attempts must be >= 1, got " + attempts);
            }
        }
    }

    public SchemaRegistryClient(String baseUrl) {
        this(baseUrl, RetryPolicy.DEFAULT);
    }

    public SchemaRegistryClient(String baseUrl, RetryPolicy retry) {
        if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
            throw new IllegalArgumentException("schema registry url must start with http:// or https://, got '"
                    + baseUrl + "'");
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.retry = retry;
        this.http = HttpClient.newBuilder().connectTimeout(retry.requestTimeout()).build();
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
        return schemasById.computeIfAbsent(id, this::fetchSchema);
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
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(retry.requestTimeout())
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE + ", application/json");
    }

    private JsonNode send(String what, HttpRequest.Builder builder, String subject) {
        HttpRequest request = builder.build();
        Duration backoff = retry.firstBackoff();
        Exception lastError = null;
        int lastStatus = 0;
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
                }
                if (status == 409) {
                    throw new IncompatibleSchemaException("registry " + baseUrl + " refused to " + what
                            + ": the schema is incompatible with the subject's existing versions under its "
                            + "compatibility rule (" + errorMessage(response.body()) + ")");
                }
                if (status / 100 == 4) {
                    throw new SchemaRegistryException("registry " + baseUrl + " refused to " + what + ": HTTP " + status
                            + " " + errorMessage(response.body()), status);
                }
                lastStatus = status;
                lastError = new IOException("HTTP " + status + " " + errorMessage(response.body()));
            } catch (IOException e) {
                lastError = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while trying to " + what, lastStatus, e);
            }
            if (attempt < retry.attempts()) {
                LOG.warn("schema registry {} attempt {}/{} to {} failed ({}); retrying in {} ms", baseUrl, attempt,
                        retry.attempts(), what, lastError.toString(), backoff.toMillis());
                sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
        throw new RegistryUnavailableException("schema registry " + baseUrl + " is unavailable: could not " + what
                + " after " + retry.attempts() + " attempts (last error: " + lastError + ")", lastStatus, lastError);
    }

    private static String errorMessage(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node.has("message")) {
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
