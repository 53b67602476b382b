package dev.sentiflow.deploy.manifests;

import dev.sentiflow.deploy.topics.PipelineTopics;
import dev.sentiflow.deploy.topics.TopicSpec;
import dev.sentiflow.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The topics a deployment creates (kafka-topics.sh lines or Strimzi KafkaTopics), checked against PipelineTopics. */
final class CreatedTopics {

    record Created(String name, int partitions, Map<String, String> configs, String bootstrap) {
    }

    final String where;
    final List<Created> topics;

    CreatedTopics(String where, List<Created> topics) {
        this.where = where;
        this.topics = topics;
    }

    /** Every {@code kafka-topics.sh ... --create ...} line of a shell script. */
    static CreatedTopics fromScript(String where, String script) {
        List<Created> topics = new ArrayList<>();
        for (String line : script.split("\n")) {
            List<String> words = List.of(line.trim().split("\\s+"));
            if (!words.contains("--create") || words.stream().noneMatch(w -> w.endsWith("kafka-topics.sh"))) {
                continue;
            }
            String name = null;
            String bootstrap = null;
            int partitions = -1;
            Map<String, String> configs = new TreeMap<>();
            for (int i = 0; i + 1 < words.size(); i++) {
                String value = words.get(i + 1);
                switch (words.get(i)) {
                    case "--topic" -> name = value;
                    case "--bootstrap-server" -> bootstrap = value;
                    case "--partitions" -> partitions = Integer.parseInt(value);
                    case "--config" -> configs.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
                    default -> { }
                }
            }
            topics.add(new Created(name, partitions, configs, bootstrap));
        }
        return new CreatedTopics(where, topics);
    }

    static CreatedTopics fromStrimzi(String where, List<DeployFiles.K8sObject> objects) {
        List<Created> topics = new ArrayList<>();
        for (DeployFiles.K8sObject object : objects) {
            if (!object.kind().equals("KafkaTopic")) {
                continue;
            }
            Object topicName = DeployFiles.path(object.body(), "spec", "topicName");
            Map<String, String> configs = new TreeMap<>();
            if (DeployFiles.path(object.body(), "spec", "config") instanceof Map<?, ?> config) {
                config.forEach((k, v) -> configs.put(String.valueOf(k), String.valueOf(v)));
            }
            topics.add(new Created(topicName == null ? object.name() : String.valueOf(topicName),
                    Integer.parseInt(String.valueOf(DeployFiles.path(object.body(), "spec", "partitions"))), configs, null));
        }
        return new CreatedTopics(where, topics);
    }

    Optional<Created> topic(String name) {
        return topics.stream().filter(t -> name.equals(t.name())).findFirst();
    }

    /** Differences from {@link PipelineTopics#plan} (with this deployment's data partition count), and duplicates. */
    List<String> problemsAgainstPlan() {
        List<String> problems = new ArrayList<>();
        Optional<Created> reviews = topic(Topics.REVIEWS);
        if (reviews.isEmpty()) {
            return List.of(where + ": creates no '" + Topics.REVIEWS + "' topic");
        }
        Map<String, Created> byName = new LinkedHashMap<>();
        for (Created topic : topics) {
            if (byName.put(topic.name(), topic) != null) {
                problems.add(where + ": creates '" + topic.name() + "' twice");
            }
        }
        for (TopicSpec spec : PipelineTopics.plan(reviews.get().partitions(), Optional.empty())) {
            Created topic = byName.remove(spec.name());
            if (topic == null) {
                problems.add(where + ": does not create '" + spec.name() + "' (PipelineTopics plans it)");
                continue;
            }
            if (topic.partitions() != spec.partitions()) {
                problems.add(where + ": '" + spec.name() + "' with " + topic.partitions() + " partitions, planned "
                        + spec.partitions());
            }
            if (!new TreeMap<>(spec.configs()).equals(topic.configs())) {
                problems.add(where + ": '" + spec.name() + "' with " + topic.configs() + ", planned "
                        + new TreeMap<>(spec.configs()));
            }
        }
        byName.keySet().forEach(extra -> problems.add(where + ": creates '" + extra + "', which PipelineTopics does not plan"));
        return problems;
    }
}
