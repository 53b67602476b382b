package dev.sentiflow.deploy.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sentiflow.avro.Review;
import dev.sentiflow.deploy.local.ChildProcesses;
import dev.sentiflow.deploy.local.LocalKafka;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.testkit.ApicurioRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away while reviews flow through ingest and inference, and comes back on its data:
 * a real {@code kafka.Kafka} child process (the local stack's) killed with SIGKILL mid-stream and
 * started again 20 s later on the same folder and ports, with both Streams apps running in this JVM
 * and a producer sending throughout. Every review id must end exactly once, read with
 * {@code read_committed}: a prediction, or a dead letter of ingest or inference; and neither app may
 * stop (they share one failure policy: a broker outage must not count as permanent).
 */
class StreamsBrokerRestartIT {

    private static final int REVIEWS = 600;
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void everyReviewEndsExactlyOnceAcrossABrokerKilledMidStreamAndRestartedOnItsData() throws Exception {
        try (ChildProcesses children = new ChildProcesses(dir.resolve("logs"), Duration.ofSeconds(10), death -> { });
             ApicurioRegistry server = ApicurioRegistry.start()) {
            LocalKafka kafka = LocalKafka.start(children, dir);
            PipelineTraffic.createTopics(kafka.bootstrapServers());
            try (PipelineTraffic apps = PipelineTraffic.start(kafka.bootstrapServers(), server.confluentApiUrl(), dir)) {
                List<Review> reviews = PipelineTraffic.reviews(REVIEWS);
                AtomicInteger sent = new AtomicInteger();
                AtomicReference<Exception> sendFailure = new AtomicReference<>();
                Thread producer = PipelineTraffic.sendInBackground(kafka.bootstrapServers(),
                        new SchemaRegistryClient(server.confluentApiUrl()), reviews, sent, sendFailure);
                while (sent.get() < REVIEWS / 4) {
                    Thread.sleep(100);
                }
                try (BrokerOutage outage = BrokerOutage.of(kafka, dir, OUTAGE)) {
                    try {
                        System.out.printf("streams broker restart IT: broker away %.1f s; %d of %d reviews handed to "
                                + "the producer when it went%n", outage.awaySeconds, REVIEWS / 4, REVIEWS);
                        producer.join(Duration.ofMinutes(3).toMillis());
                        assertNull(sendFailure.get(), "the producer rode it out too");
                        Set<String> expected = reviews.stream().map(Review::getId).collect(Collectors.toSet());
                        Map<String, Integer> outcomes = apps.awaitAccounted(outage.kafka.bootstrapServers(), expected,
                                Duration.ofMinutes(4));
                        System.out.printf("streams broker restart IT: %d of %d ids accounted for%n", outcomes.size(),
                                REVIEWS);
                        assertEquals(Map.of(), PipelineTraffic.problems(expected, outcomes));
                    } finally {
                        // Before the restarted broker goes (a resource closes before its try's finally):
                        // apps closed after it could not finish closing, and their threads outlived the
                        // test, retrying its port for the rest of the build's JVM.
                        apps.close();
                    }
                }
            }
        }
    }
}
