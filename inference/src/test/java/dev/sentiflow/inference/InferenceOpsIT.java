package dev.sentiflow.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.testkit.FreePort;
import dev.sentiflow.testkit.Poison;
import dev.sentiflow.testkit.PrometheusText;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference's metrics and probes on real parts (a broker, a registry, the whole MiniLM): readiness is
 * 503 with its reason while no model is loaded and 200 once one is; the scrape, read by a Prometheus
 * text parser, counts what was scored, swapped and dead-lettered, and carries the JVM's and Kafka
 * Streams' meters.
 */
class InferenceOpsIT {

    @Test
    void probesSayWhatItWaitsForAndTheMetricsMoveWithTheTraffic(@TempDir Path stateDir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ApicurioRegistry server = ApicurioRegistry.start();
             TestModels models = TestModels.load(0)) {
            SchemaRegistryClient registry = new SchemaRegistryClient(server.confluentApiUrl());
            kafka.createTopics(2, "reviews.tokenized", "predictions", "predictions.dlq");
            kafka.createTopics(1, "models", "metrics.live");
            int port = FreePort.find();
            Map<String, String> settings = Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", server.confluentApiUrl(), "state.dir", stateDir.toString(),
                    "metrics.port", String.valueOf(port), "metrics.host", "127.0.0.1", "live.interval.ms", "500",
                    "kafka.commit.interval.ms", "100");
            // start() returns once a model is served: until then the endpoint answers from its own thread.
            java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newSingleThreadExecutor();
            CompletableFuture<InferenceService> starting = CompletableFuture.supplyAsync(() -> {
                try {
                    return InferenceService.start(new InferenceConfig(settings));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, starter);
            starter.shutdown();
            PrometheusText.Response notReady = await(port, "/health/ready", r -> {
                if (starting.isCompletedExceptionally()) {
                    throw new AssertionError("inference did not start", starting.handle((v, e) -> e).join());
                }
                return r.status() == 503 && r.body().contains("no version of model 'default'");
            }, Duration.ofMinutes(2));
            assertEquals("application/json", notReady.contentType());
            assertEquals(200, PrometheusText.get(port, "/health/live").status());
            PrometheusText before = PrometheusText.scrape(port);
            assertTrue(before.sum("jvm_memory_used_bytes", Map.of("service", "inference")).orElse(0.0) > 0);
            assertTrue(before.sum("process_resident_memory_bytes", Map.of()).orElse(0.0) > 100e6,
                    "the whole MiniLM is in native memory");

            KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, "models", 1,
                    models.chunks("default", 1, models.adapter(1), Optional.empty()));
            InferenceService app = starting.get(2, TimeUnit.MINUTES);
            try {
                PrometheusText.Response ready = await(port, "/health/ready", r -> r.status() == 200, Duration.ofMinutes(1));
                assertTrue(ready.body().contains("serves v1"), ready.body());

                List<TokenizedReview> reviews = InferenceIT.uciReviews(models, 0, 60);
                KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, "reviews.tokenized", reviews);
                Poison.send(kafka.bootstrapServers(), "reviews.tokenized");
                PrometheusText scored = awaitMetric(port, "sentiflow_inference_records_scored_total",
                        Map.of("model", "default"), v -> v >= 60, Duration.ofMinutes(2));
                assertEquals(Optional.of("counter"), scored.type("sentiflow_inference_records_scored_total"));
                assertEquals(Optional.of(1.0), scored.sum("sentiflow_inference_served_version", Map.of("model", "default")));
                assertEquals(Optional.of(1.0), scored.sum("sentiflow_inference_swaps_total", Map.of()));
                assertEquals(Optional.of(60.0), scored.sum("sentiflow_inference_latency_seconds_count", Map.of()));
                double batches = scored.sum("sentiflow_inference_batch_seconds_count", Map.of()).orElse(0.0);
                assertTrue(batches >= 1, "batches timed: " + batches);
                assertEquals(Optional.of(60.0), scored.sum("sentiflow_inference_batch_size_records_sum", Map.of()));
                assertEquals(Optional.of("histogram"), scored.type("sentiflow_inference_batch_seconds"));
                assertTrue(scored.samples().stream().anyMatch(s -> s.name().startsWith("kafka_stream_")),
                        "Kafka Streams' own meters");
                awaitMetric(port, "sentiflow_inference_dead_letters_total", Map.of("reason", "UNDECODABLE"),
                        v -> v == Poison.COUNT, Duration.ofMinutes(1));
                PrometheusText live = awaitMetric(port, "sentiflow_inference_live_accuracy",
                        Map.of("model", "default", "version", "1"), v -> v > 0, Duration.ofMinutes(1));
                for (PrometheusText.Sample window : live.samples("sentiflow_inference_live_accuracy", Map.of())) {
                    assertTrue(window.value() >= 0 && window.value() <= 1, window.toString());
                    assertTrue(window.labels().get("task").matches("0_[01]"), "one series per task: " + window);
                }

                // A swap moves the served version and the swap count.
                KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, "models", 1,
                        models.chunks("default", 2, models.adapter(2), Optional.empty()));
                PrometheusText swapped = awaitMetric(port, "sentiflow_inference_served_version",
                        Map.of("model", "default"), v -> v == 2, Duration.ofMinutes(1));
                assertEquals(Optional.of(2.0), swapped.sum("sentiflow_inference_swaps_total", Map.of()));
                System.out.printf("inference ops IT: ready once v1 was served; %d samples in a scrape%n",
                        swapped.samples().size());
            } finally {
                app.close();
            }
            assertThrows(IOException.class, () -> PrometheusText.get(port, "/health/live"), "closed with the service");
        }
    }

    static PrometheusText.Response await(int port, String path, Predicate<PrometheusText.Response> wanted,
            Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        PrometheusText.Response last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = PrometheusText.get(port, path);
                if (wanted.test(last)) {
                    return last;
                }
            } catch (IOException e) {
                last = new PrometheusText.Response(-1, "", e.toString()); // not listening yet
            }
            Thread.sleep(200); // polling under the deadline above
        }
        throw new AssertionError(path + " never answered as expected within " + timeout + "; last: " + last);
    }

    static PrometheusText awaitMetric(int port, String name, Map<String, String> labels,
            Predicate<Double> wanted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Double> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            PrometheusText scrape = PrometheusText.scrape(port);
            last = scrape.sum(name, labels);
            if (last.isPresent() && wanted.test(last.get())) {
                return scrape;
            }
            Thread.sleep(300); // polling under the deadline above
        }
        throw new AssertionError(name + labels + " never as expected within " + timeout + "; last: " + last);
    }
}
