package dev.sentiflow.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Star rating → label, parsed from text like {@code 1-2:negative,3:exclude,4-5:positive}.
 * {@code exclude} marks ratings that are deliberately not trained on (the notebooks drop 3 stars).
 */
public final class RatingMapping {

    public static final String EXCLUDE = "exclude";
    /** The setting's value for "star ratings are not labels": a review with only a rating is unlabeled. */
    public static final String NONE = "none";

    private record Rule(int from, int to, String label) {
    }

    /** What a rating maps to: a label, excluded, or nothing (no rule covers it). */
    public sealed interface Result permits Labeled, Excluded, Unmapped {
    }

    public record Labeled(String label) implements Result {
    }

    public record Excluded() implements Result {
    }

    public record Unmapped() implements Result {
    }

    private final List<Rule> rules;
    private final String text;

    private RatingMapping(List<Rule> rules, String text) {
        this.rules = rules;
        this.text = text;
    }

    /** No rule at all: ratings are ignored, so a review labels itself explicitly or stays unlabeled. */
    public static RatingMapping none() {
        return new RatingMapping(List.of(), NONE);
    }

    /** @param text comma-separated RANGE:LABEL rules, or {@value #NONE} (or empty) for {@link #none()} */
    public static RatingMapping parse(String text, List<String> labels) {
        if (text.isBlank() || text.trim().equalsIgnoreCase(NONE)) {
            return none();
        }
        List<Rule> rules = new ArrayList<>();
        for (String part : text.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("'" + entry + "' is not RANGE:LABEL (e.g. 4-5:positive)");
            }
            String range = entry.substring(0, colon).trim();
            String label = entry.substring(colon + 1).trim();
            int from;
            int to;
            try {
                int dash = range.indexOf('-', 1);
                from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash).trim());
                to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + range + "' in '" + entry + "' is not a rating or range of ratings");
            }
            if (from > to) {
                throw new IllegalArgumentException("range " + range + " runs backwards");
            }
            String canonical = label.equalsIgnoreCase(EXCLUDE) ? EXCLUDE : canonicalLabel(label, labels)
                    .orElseThrow(() -> new IllegalArgumentException("label '" + label + "' in '" + entry
                            + "' is not in the label set " + labels + " (nor 'exclude')"));
            for (Rule r : rules) {
                if (from <= r.to() && r.from() <= to) {
                    throw new IllegalArgumentException("ranges " + r.from() + "-" + r.to() + " and " + range + " overlap");
                }
            }
            rules.add(new Rule(from, to, canonical));
        }
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("no rating rules given (use '" + NONE + "' for no mapping)");
        }
        return new RatingMapping(List.copyOf(rules), text);
    }

    /** Whether ratings are ignored ({@link #none()}). */
    public boolean isNone() {
        return rules.isEmpty();
    }

    public Result map(int rating) {
        for (Rule rule : rules) {
            if (rating >= rule.from() && rating <= rule.to()) {
                return rule.label().equals(EXCLUDE) ? new Excluded() : new Labeled(rule.label());
            }
        }
        return new Unmapped();
    }

    /** The label set's own spelling of a label, matched case-insensitively. */
    static Optional<String> canonicalLabel(String label, List<String> labels) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        return labels.stream().filter(l -> l.toLowerCase(Locale.ROOT).equals(wanted)).findFirst();
    }

    @Override
    public String toString() {
        return text;
    }
}
