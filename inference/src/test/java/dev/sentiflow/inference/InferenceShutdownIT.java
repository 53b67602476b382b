package dev.sentiflow.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference stopped after its broker went away: Streams cannot finish closing (its stream thread waits
 * on the broker to end the open transaction), so {@code close()} gives up after {@code shutdown.timeout.ms}
 * and must leave the model loaded, as the thread still running may be inside a batch: freeing the
 * ONNX Runtime session under it would have a native run read freed memory.
 */
class InferenceShutdownIT {

    private static final int REVIEWS = 40;

    @Test
    void aCloseThatRunsOutReturnsAndKeepsTheModelForTheThreadStillRunning(@TempDir Path stateDir) throws Exception {
        try (ApicurioRegistry server = ApicurioRegistry.start(); TestModels models = TestModels.load(0)) {
            SchemaRegistryClient registry = new SchemaRegistryClient(server.confluentApiUrl());
            InferenceService app;
            try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
                kafka.createTopics(2, "reviews.tokenized", "predictions", "predictions.dlq");
                kafka.createTopics(1, "models", "metrics.live");
                app = InferenceService.start(new InferenceConfig(Map.of(
                        "bootstrap.servers", kafka.bootstrapServers(),
                        "schema.registry.url", server.confluentApiUrl(),
                        "state.dir", stateDir.toString(),
                        "application.id", "inference-shutdown",
                        "serve.without.model", "base-head",
                        "shutdown.timeout.ms", "2000")));
                List<TokenizedReview> reviews = InferenceIT.uciReviews(models, 0, REVIEWS);
                KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, "reviews.tokenized", reviews);
                awaitCommitted(kafka.bootstrapServers(), registry, Duration.ofSeconds(60));
            } // the broker stops here, before the app
            long begin = System.nanoTime();
            app.close();
            double seconds = (System.nanoTime() - begin) / 1e9;
            assertTrue(seconds < 30, "close() took " + seconds + " s with shutdown.timeout.ms=2000");
            assertEquals(KafkaStreams.State.PENDING_SHUTDOWN, app.streams().state(),
                    "the stream thread should still be waiting on the broker (the case this test is about)");
            assertEquals(OptionalLong.of(0), app.registry().version("default"),
                    "the model stays served for the thread still running");
        }
    }

    private static void awaitCommitted(String bootstrap, SchemaRegistryClient registry, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (seen < REVIEWS) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + seen + " of " + REVIEWS + " predictions within " + timeout);
            }
            Thread.sleep(500);
            seen = KafkaChecks.readAllCommitted(bootstrap, registry, "predictions", Duration.ofSeconds(30)).size();
        }
    }
}
