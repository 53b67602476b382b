package dev.sentiflow.trainer.intake;

import java.util.List;

/**
 * A labeled, tokenized review as the trainer keeps it: what training needs plus where it came from
 * (for the lineage of the model it ends up in).
 */
public record LabeledExample(String id, String domain, int label, int[] tokenIds, String topic, int partition,
        long offset) {

    public LabeledExample {
        if (tokenIds.length == 0) {
            throw new IllegalArgumentException("example " + id + " has no tokens");
        }
    }

    public static List<int[]> tokens(List<LabeledExample> examples) {
        return examples.stream().map(LabeledExample::tokenIds).toList();
    }
}
