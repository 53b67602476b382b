package dev.sentiflow.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentiflow.avro.Review;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Confluent's own Python client reads records our serializer wrote, and our deserializer reads
 * records it wrote, through a real broker and a real registry. CI installs the Debian packages and
 * sets SENTIFLOW_REQUIRE_INTEROP=true so a missing client fails instead of skipping.
 */
class ConfluentPythonInteropIT {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src/test/python/confluent_interop.py");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafka kafka;
    private static ApicurioRegistry registry;
    private static SchemaRegistryClient client;

    @BeforeAll
    static void start() throws Exception {
        boolean available = pythonClientAvailable();
        if (!available && "true".equals(System.getenv("SENTIFLOW_REQUIRE_INTEROP"))) {
            throw new IllegalStateException("SENTIFLOW_REQUIRE_INTEROP=true but " + PYTHON + " cannot import "
                    + "confluent_kafka.avro: apt-get install python3-confluent-kafka python3-avro python3-requests");
        }
        Assumptions.assumeTrue(available, "Debian python3-confluent-kafka/python3-avro not installed");
        kafka = EmbeddedKafka.start();
        registry = ApicurioRegistry.start();
        client = new SchemaRegistryClient(registry.confluentApiUrl());
        kafka.createTopics(1, "interop-java", "interop-python");
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void pythonReadsWhatJavaWrote() throws Exception {
        List<Review> sent = List.of(
                review("j1", "Café au lait, très bon ☕", 5, null, "amazon"),
                review("j2", "Terrible.", null, "negative", "yelp"),
                review("j3", "no label at all", null, null, "imdb"));
        try (var producer = new KafkaProducer<String, Review>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new AvroSerializer<Review>(client, Review.getClassSchema(), true, false))) {
            for (Review r : sent) {
                // The classic AvroConsumer Avro-decodes keys too; our keys are plain strings, so none here.
                producer.send(new ProducerRecord<>("interop-java", null, r)).get();
            }
        }
        List<String> lines = python(List.of("read", kafka.bootstrapServers(), registry.confluentApiUrl(),
                "interop-java", "3"), "");
        assertEquals(3, lines.size(), "python printed " + lines);
        for (int i = 0; i < 3; i++) {
            JsonNode read = JSON.readTree(lines.get(i));
            Review expected = sent.get(i);
            assertEquals(expected.getId(), read.get("id").asText());
            assertEquals(expected.getText(), read.get("text").asText());
            assertEquals(expected.getRating(), read.get("rating").isNull() ? null : read.get("rating").asInt());
            assertEquals(expected.getLabel(), read.get("label").isNull() ? null : read.get("label").asText());
            assertEquals(expected.getDomain(), read.get("domain").asText());
            assertEquals(expected.getEventTime().toEpochMilli(), read.get("eventTime").asLong());
        }
    }

    @Test
    void javaReadsWhatPythonWrote() throws Exception {
        Path schema = Files.createTempFile("review", ".avsc");
        Files.writeString(schema, Review.getClassSchema().toString());
        String input = "{\"id\": \"p1\", \"text\": \"Loved it, Ünïcödé too\", \"rating\": 4, \"label\": null, "
                + "\"domain\": \"amazon\", \"eventTime\": 1700000000123}\n"
                + "{\"id\": \"p2\", \"text\": \"meh\", \"rating\": null, \"label\": \"negative\", "
                + "\"domain\": \"imdb\", \"eventTime\": 1700000000456}\n";
        List<String> out = python(List.of("write", kafka.bootstrapServers(), registry.confluentApiUrl(),
                "interop-python", schema.toString()), input);
        assertEquals(List.of("sent 2"), out);

        List<Review> received = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, Review>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "java-interop",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new AvroDeserializer<Review>(client, Review.getClassSchema()))) {
            consumer.subscribe(List.of("interop-python"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (received.size() < 2 && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
            }
        }
        assertEquals(List.of(
                review("p1", "Loved it, Ünïcödé too", 4, null, "amazon", 1700000000123L),
                review("p2", "meh", null, "negative", "imdb", 1700000000456L)), received);
    }

    private static Review review(String id, String text, Integer rating, String label, String domain) {
        return review(id, text, rating, label, domain, 1_700_000_000_000L);
    }

    private static Review review(String id, String text, Integer rating, String label, String domain, long time) {
        return Review.newBuilder().setId(id).setText(text).setRating(rating).setLabel(label).setDomain(domain)
                .setEventTime(Instant.ofEpochMilli(time)).build();
    }

    private static boolean pythonClientAvailable() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka.avro, avro, requests")
                    .redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<String> python(List<String> args, String stdin) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, SCRIPT.toString()));
        command.addAll(args);
        Path err = Files.createTempFile("python-interop", ".err");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("python " + args.get(0) + " failed: " + Files.readString(err) + out);
        }
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
