package dev.sentiflow.deploy.topics;

import dev.sentiflow.schemas.topic.MissingTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Makes the planned topics exist, idempotently: missing ones are created with their settings,
 * existing ones are left alone and compared with the plan (partition count, replication factor
 * when one was asked for, each planned setting).
 */
public final class TopicSetup {

    private static final long TIMEOUT_SECONDS = 30;
    private static final long RETRY_MS = 100;

    private final Admin admin;

    public TopicSetup(Admin admin) {
        this.admin = admin;
    }

    public List<TopicOutcome> apply(List<TopicSpec> plan) throws InterruptedException {
        Set<String> existing = await(() -> admin.listTopics().names(), "list topics");
        List<NewTopic> missing = plan.stream().filter(spec -> !existing.contains(spec.name()))
                .map(spec -> new NewTopic(spec.name(), Optional.of(spec.partitions()), spec.replicationFactor())
                        .configs(spec.configs()))
                .toList();
        Set<String> created = Set.copyOf(create(missing));
        List<String> names = plan.stream().map(TopicSpec::name).toList();
        // Describing every planned topic, the new ones too, returns only once the broker that answers
        // knows them all: the services started next would otherwise meet the same lag.
        Map<String, TopicDescription> descriptions = await(() -> admin.describeTopics(names).allTopicNames(),
                "describe topics " + names);
        List<TopicSpec> found = plan.stream().filter(spec -> !created.contains(spec.name())).toList();
        Map<ConfigResource, Config> configs = found.isEmpty() ? Map.of() : await(() -> admin.describeConfigs(
                found.stream().map(TopicSetup::resource).toList()).all(), "describe configs");
        List<TopicOutcome> outcomes = new ArrayList<>();
        for (TopicSpec spec : plan) {
            outcomes.add(created.contains(spec.name())
                    ? new TopicOutcome(spec.name(), true, List.of())
                    : new TopicOutcome(spec.name(), false, differences(spec, descriptions.get(spec.name()),
                            configs.get(resource(spec)))));
        }
        return outcomes;
    }

    private List<String> create(List<NewTopic> missing) throws InterruptedException {
        try {
            return MissingTopics.createAll(admin, missing, Duration.ofSeconds(TIMEOUT_SECONDS));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics " + missing.stream().map(NewTopic::name).toList()
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topics " + missing.stream().map(NewTopic::name).toList()
                    + " took over " + TIMEOUT_SECONDS + " s", e);
        }
    }

    private static ConfigResource resource(TopicSpec spec) {
        return new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
    }

    static List<String> differences(TopicSpec spec, TopicDescription description, Config config) {
        List<String> differences = new ArrayList<>();
        int partitions = description.partitions().size();
        if (partitions != spec.partitions()) {
            differences.add(partitions + " partitions, plan " + spec.partitions());
        }
        spec.replicationFactor().ifPresent(rf -> {
            int actual = description.partitions().get(0).replicas().size();
            if (actual != rf) {
                differences.add("replication factor " + actual + ", plan " + rf);
            }
        });
        for (var planned : new TreeMap<>(spec.configs()).entrySet()) {
            ConfigEntry entry = config.get(planned.getKey());
            String actual = entry == null ? null : entry.value();
            if (!planned.getValue().equals(actual)) {
                differences.add(planned.getKey() + "=" + actual + ", plan " + planned.getValue());
            }
        }
        return differences;
    }

    /**
     * The answer within the timeout, asking again while it is a retriable error: a topic just created,
     * or just listed, can be unknown for a moment to the broker that answers a describe ("This server
     * does not host this topic-partition"), and the admin client does not retry that itself.
     */
    private static <T> T await(Supplier<KafkaFuture<T>> request, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                return request.get().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
                }
                Thread.sleep(RETRY_MS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("cannot " + what + ": no answer from the cluster within "
                        + TIMEOUT_SECONDS + " s", e);
            }
        }
    }
}
