package dev.sentiflow.text.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The ordered class names of a task; a label's position is its class index (the model's
 * output column). Built from an explicit list, or inferred from the labels seen in the data
 * (sorted, numerically when every label is an integer, so "2" comes before "10").
 */
public final class LabelSet {

    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();

    private LabelSet(List<String> names) {
        if (names.size() < 2) {
            throw new IllegalArgumentException("a classification task needs at least two labels, got " + names);
        }
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            if (index.put(names.get(i), i) != null) {
                throw new IllegalArgumentException("label '" + names.get(i) + "' is listed twice in " + names);
            }
        }
    }

    /** Labels in the given order. */
    public static LabelSet of(List<String> names) {
        return new LabelSet(names);
    }

    /** Labels in sorted order: numeric when all are integers, otherwise lexicographic. */
    public static LabelSet inferred(Collection<String> seen) {
        List<String> sorted = new ArrayList<>(new LinkedHashSet<>(seen));
        boolean allIntegers = sorted.stream().allMatch(s -> s.matches("-?\\d{1,18}"));
        if (allIntegers) {
            sorted.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
        } else {
            sorted.sort(null);
        }
        return new LabelSet(sorted);
    }

    /** The class index of a label, or an error naming the known labels. */
    public int indexOf(String label) {
        Integer i = index.get(label);
        if (i == null) {
            throw new IllegalArgumentException("unknown label '" + label + "'; known labels are " + names);
        }
        return i;
    }

    public boolean contains(String label) {
        return index.containsKey(label);
    }

    public String name(int classIndex) {
        return names.get(classIndex);
    }

    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    @Override
    public String toString() {
        return names.toString();
    }
}
