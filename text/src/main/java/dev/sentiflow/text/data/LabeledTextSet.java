package dev.sentiflow.text.data;

import java.util.List;

/** Examples of one task together with the label set that gives their class indices meaning. */
public record LabeledTextSet(List<LabeledText> examples, LabelSet labels) {

    public LabeledTextSet {
        examples = List.copyOf(examples);
    }

    public int size() {
        return examples.size();
    }

    /** Number of examples per class index. */
    public int[] classCounts() {
        int[] counts = new int[labels.size()];
        for (LabeledText example : examples) {
            counts[example.label()]++;
        }
        return counts;
    }
}
