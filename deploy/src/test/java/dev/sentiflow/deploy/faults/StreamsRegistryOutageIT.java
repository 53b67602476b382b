package dev.sentiflow.deploy.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sentiflow.avro.Review;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.testkit.ApicurioLauncher;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.testkit.TcpRelay;
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
 * The registry is unreachable (the TCP path to the real server cut) when ingest and inference start
 * and for 20 s while reviews arrive, so neither app can resolve a schema: a stream thread that fails
 * on it is replaced after a back-off and resumes from its last commit. Once the path is back, every
 * review id ends exactly once (a prediction or a dead letter, read_committed), none is blamed on
 * the outage (no dead letter for it), and neither app stopped.
 */
class StreamsRegistryOutageIT {

    private static final int REVIEWS = 300;
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void reviewsThatArriveWhileTheRegistryIsAwayAreScoredOnceWhenItIsBack() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             ApicurioRegistry server = ApicurioRegistry.start();
             TcpRelay relay = TcpRelay.to(server.port())) {
            PipelineTraffic.createTopics(kafka.bootstrapServers());
            // The apps reach the registry through the relay; the producer (another team's) reaches it directly.
            try (PipelineTraffic apps = PipelineTraffic.start(kafka.bootstrapServers(),
                    ApicurioLauncher.confluentApiUrl(relay.port()), dir)) {
                relay.cut();
                long cutAt = System.nanoTime();
                List<Review> reviews = PipelineTraffic.reviews(REVIEWS);
                AtomicInteger sent = new AtomicInteger();
                AtomicReference<Exception> sendFailure = new AtomicReference<>();
                Thread producer = PipelineTraffic.sendInBackground(kafka.bootstrapServers(),
                        new SchemaRegistryClient(server.confluentApiUrl()), reviews, sent, sendFailure);
                Thread.sleep(OUTAGE.toMillis());
                assertNull(apps.stopped(), "an app stopped while the registry was away");
                relay.restore();
                System.out.printf("streams registry outage IT: registry away %.1f s while %d reviews were sent%n",
                        (System.nanoTime() - cutAt) / 1e9, sent.get());
                producer.join(Duration.ofMinutes(2).toMillis());
                assertNull(sendFailure.get());

                Set<String> expected = reviews.stream().map(Review::getId).collect(Collectors.toSet());
                Map<String, Integer> outcomes = apps.awaitAccounted(kafka.bootstrapServers(), expected,
                        Duration.ofMinutes(4));
                System.out.printf("streams registry outage IT: %d of %d ids accounted for%n", outcomes.size(),
                        REVIEWS);
                assertEquals(Map.of(), PipelineTraffic.problems(expected, outcomes));
                assertEquals(List.of(), kafka.readCommitted("reviews.dlq").stream().map(r -> new String(r.key()))
                        .toList(), "no review blamed for the outage");
            }
        }
    }
}
