package dev.sentiflow.schemas.topic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics a service needs that the cluster lacks. A topic can be missing from the listing
 * and still exist by the time it is created: another instance starting at the same moment created it,
 * or it was created just before and the broker that answered the listing had not seen it yet. Its
 * creation then fails with {@link TopicExistsException}, which is the outcome wanted, not an error.
 */
public final class MissingTopics {

    private MissingTopics() {
    }

    /** Creates those of {@code wanted} not on the cluster; returns the names this call created. */
    public static List<String> create(Admin admin, List<NewTopic> wanted, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return createAll(admin, wanted.stream().filter(t -> !existing.contains(t.name())).toList(), timeout);
    }

    /** Creates every topic of {@code topics}, those that exist already left as they are; returns the new ones. */
    public static List<String> createAll(Admin admin, List<NewTopic> topics, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (topics.isEmpty()) {
            return List.of();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(topics).values().entrySet()) {
            try {
                result.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                created.add(result.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return created;
    }
}
