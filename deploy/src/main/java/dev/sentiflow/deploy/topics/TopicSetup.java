package dev.sentiflow.deploy.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Makes the planned topics exist, idempotently: missing ones are created with their settings,
 * existing ones are left alone and compared with the plan (partition count, replication factor
 * when one was asked for, each planned setting).
 */
public final class TopicSetup {

    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;

    public TopicSetup(Admin admin) {
        this.admin = admin;
    }

    public List<TopicOutcome> apply(List<TopicSpec> plan) throws InterruptedException {
        Set<String> existing = await(admin.listTopics().names(), "list topics");
        List<TopicOutcome> outcomes = new ArrayList<>();
        List<TopicSpec> found = new ArrayList<>();
        for (TopicSpec spec : plan) {
            if (existing.contains(spec.name())) {
                found.add(spec);
                continue;
            }
            NewTopic topic = new NewTopic(spec.name(), java.util.Optional.of(spec.partitions()), spec.replicationFactor())
                    .configs(spec.configs());
            try {
                admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                outcomes.add(new TopicOutcome(spec.name(), true, List.of()));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + spec.name() + ": " + e.getCause().getMessage(),
                            e.getCause());
                }
                found.add(spec); // created by someone else meanwhile
            } catch (TimeoutException e) {
                throw new IllegalStateException("creating topic " + spec.name() + " took over " + TIMEOUT_SECONDS + " s", e);
            }
        }
        if (!found.isEmpty()) {
            Map<String, TopicDescription> descriptions = await(admin.describeTopics(
                    found.stream().map(TopicSpec::name).toList()).allTopicNames(), "describe topics");
            Map<ConfigResource, Config> configs = await(admin.describeConfigs(found.stream()
                    .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList()).all(), "describe configs");
            for (TopicSpec spec : found) {
                outcomes.add(new TopicOutcome(spec.name(), false, differences(spec, descriptions.get(spec.name()),
                        configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name())))));
            }
        }
        // Report in plan order, whatever happened first.
        List<String> order = plan.stream().map(TopicSpec::name).toList();
        outcomes.sort(java.util.Comparator.comparingInt(o -> order.indexOf(o.topic())));
        return outcomes;
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
        for (var planned : new java.util.TreeMap<>(spec.configs()).entrySet()) {
            ConfigEntry entry = config.get(planned.getKey());
            String actual = entry == null ? null : entry.value();
            if (!planned.getValue().equals(actual)) {
                differences.add(planned.getKey() + "=" + actual + ", plan " + planned.getValue());
            }
        }
        return differences;
    }

    private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) throws InterruptedException {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot " + what + ": no answer from the cluster within " + TIMEOUT_SECONDS
                    + " s", e);
        }
    }
}
