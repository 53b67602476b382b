package dev.sentiflow.ingest.bench;

import dev.sentiflow.avro.Review;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.ingest.IngestApp;
import dev.sentiflow.ingest.IngestConfig;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Ingest throughput through a real broker and registry, tokenization included, exactly-once.
 *
 * <p>Pre-loads N real reviews (the bundled fine-food and UCI files, repeated with new ids), starts
 * the app, and times from RUNNING until the last output record is readable with read_committed.
 * Also times tokenization alone in one thread on the same texts, for the ratio.
 * Run: {@code ./bench ingest [N]} (default 20000).
 */
public final class IngestBenchmark {

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        List<String> texts = new ArrayList<>();
        for (String file : List.of("finefoods_train.csv", "finefoods_test.csv", "uci_sentiment_sentences.csv")) {
            try (Stream<Row> rows = RowReaders.rows(Path.of("../data", file))) {
                rows.forEach(r -> texts.add(r.require("text")));
            }
        }
        try (TextTokenizer tokenizer = TextTokenizer.bundled(128)) {
            long tokens = 0;
            long begin = System.nanoTime();
            for (int i = 0; i < n; i++) {
                tokens += tokenizer.encode(texts.get(i % texts.size())).length;
            }
            double s = (System.nanoTime() - begin) / 1e9;
            System.out.printf("tokenizer alone: %d texts in %.2f s = %.0f texts/s (%.1f tokens/text)%n", n, s, n / s,
                    (double) tokens / n);
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ApicurioRegistry server = ApicurioRegistry.start()) {
            kafka.createTopics(2, "reviews", "reviews.tokenized", "reviews.dlq");
            SchemaRegistryClient registry = new SchemaRegistryClient(server.confluentApiUrl());
            try (var producer = new KafkaProducer<String, Review>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(),
                    new AvroSerializer<Review>(registry, Review.getClassSchema(), true, false))) {
                for (int i = 0; i < n; i++) {
                    Review review = Review.newBuilder().setId("bench-" + i).setText(texts.get(i % texts.size()))
                            .setRating(i % 2 == 0 ? 5 : 1).setDomain("bench").setEventTime(Instant.now()).build();
                    producer.send(new ProducerRecord<>("reviews", review.getId(), review));
                }
                producer.flush();
            }
            System.out.printf("pre-loaded %d reviews%n", n);
            Path state = Files.createTempDirectory("ingest-bench");
            CountDownLatch running = new CountDownLatch(1);
            KafkaStreams streams = IngestApp.start(new IngestConfig(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", server.confluentApiUrl(),
                    "state.dir", state.toString())));
            long begin = System.nanoTime();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                Thread.sleep(10);
            }
            running.countDown();
            long runningAt = System.nanoTime();
            long seen = 0;
            try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "bench",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("reviews.tokenized", "reviews.dlq"));
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                long lastReport = System.nanoTime();
                while (seen < n && System.nanoTime() < deadline) {
                    seen += consumer.poll(Duration.ofMillis(100)).count();
                    if (System.nanoTime() - lastReport > 5e9) {
                        System.out.printf("  %d / %d out%n", seen, n);
                        lastReport = System.nanoTime();
                    }
                }
            }
            double fromRunning = (System.nanoTime() - runningAt) / 1e9;
            double fromStart = (System.nanoTime() - begin) / 1e9;
            System.out.printf("ingest (exactly_once_v2, 1 stream thread, 2 partitions): %d records in %.2f s from RUNNING"
                    + " = %.0f records/s (%.2f s including start-up)%n", seen, fromRunning, seen / fromRunning, fromStart);
            streams.close(Duration.ofSeconds(30));
            if (seen < n) {
                throw new IllegalStateException("only " + seen + " of " + n + " records came out");
            }
        }
        System.out.println("TokenizedReview schema: " + TokenizedReview.getClassSchema().getFullName());
    }
}
