package dev.sentiflow.trainer.sample;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Class counts of a training set, and down-sampling to balance them, as the restaurant-review
 * notebook does before fine-tuning (it keeps as many reviews of every class as the rarest class
 * has). Optional: with {@code balance.classes=false} the trainer uses the data as it comes.
 */
public final class ClassBalance {

    private ClassBalance() {
    }

    /** How many items carry each label, labels in sorted order. */
    public static <T> Map<String, Long> counts(Collection<T> items, Function<? super T, String> label) {
        Map<String, Long> counts = new TreeMap<>();
        for (T item : items) {
            counts.merge(label.apply(item), 1L, Long::sum);
        }
        return counts;
    }

    /**
     * Keeps, of every label, as many items as the rarest label has, chosen at random with this seed;
     * the kept items stay in their original order. The same items and seed give the same result.
     */
    public static <T> List<T> downsample(List<T> items, Function<? super T, String> label, long seed) {
        if (items.isEmpty()) {
            return List.of();
        }
        Map<String, List<Integer>> positions = new TreeMap<>();
        for (int i = 0; i < items.size(); i++) {
            positions.computeIfAbsent(label.apply(items.get(i)), k -> new ArrayList<>()).add(i);
        }
        int keepPerLabel = positions.values().stream().mapToInt(List::size).min().orElseThrow();
        // One Random for all labels, visited in sorted order, so the choice depends only on the items and the seed.
        Random random = new Random(seed);
        Set<Integer> kept = new HashSet<>();
        for (List<Integer> ofLabel : positions.values()) {
            Collections.shuffle(ofLabel, random);
            kept.addAll(ofLabel.subList(0, keepPerLabel));
        }
        List<T> balanced = new ArrayList<>(kept.size());
        for (int i = 0; i < items.size(); i++) {
            if (kept.contains(i)) {
                balanced.add(items.get(i));
            }
        }
        return balanced;
    }
}
