package dev.sentiflow.schemas.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.testkit.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

/** Topic creation on a real broker, where a topic that appeared after the listing is not an error. */
class MissingTopicsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aTopicThatExistsByTheTimeItIsCreatedIsLeftAsItIsAndOthersAreCreated() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); Admin admin = kafka.admin()) {
            kafka.createTopics(3, "there-already");
            // As if another instance created it between this one's listing and its creation:
            List<String> created = MissingTopics.createAll(admin, List.of(topic("there-already"), topic("new-one")),
                    TIMEOUT);
            assertEquals(List.of("new-one"), created);
            assertEquals(3, admin.describeTopics(List.of("there-already")).allTopicNames().get()
                    .get("there-already").partitions().size(), "the existing topic is left as it was");
            // Straight after its creation the listing may not show new-one yet (it did not, run here): created
            // again, it exists, which is fine too.
            assertEquals(List.of(), MissingTopics.create(admin, List.of(topic("there-already"), topic("new-one")),
                    TIMEOUT), "nothing missing, nothing created");
            // Any other refusal is still an error.
            ExecutionException refused = assertThrows(ExecutionException.class, () -> MissingTopics.createAll(admin,
                    List.of(new NewTopic("too-many-replicas", Optional.empty(), Optional.of((short) 3))), TIMEOUT));
            assertTrue(refused.getCause() instanceof InvalidReplicationFactorException, refused.toString());
        }
    }

    private static NewTopic topic(String name) {
        return new NewTopic(name, Optional.empty(), Optional.empty());
    }
}
