package dev.sentiflow.deploy.topics;

import java.util.List;

/**
 * What {@link TopicSetup} did with one topic: created it, or found it and how it differs from the
 * plan (differences are reported, never "fixed": changing a live topic is an operator's decision).
 */
public record TopicOutcome(String topic, boolean created, List<String> differences) {

    public TopicOutcome {
        differences = List.copyOf(differences);
    }

    public String describe(TopicSpec spec) {
        if (created) {
            return "created  " + topic + "  (" + spec.partitions() + " partition" + (spec.partitions() == 1 ? "" : "s")
                    + ", " + spec.describeConfigs() + ")";
        }
        if (differences.isEmpty()) {
            return "exists   " + topic + "  (as planned)";
        }
        return "exists   " + topic + "  (left as it is; differs from the plan: " + String.join("; ", differences) + ")";
    }
}
