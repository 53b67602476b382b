package dev.sentiflow.deploy.tail;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DomainScore;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TrainingMetrics;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One compact line per record, for a person watching a terminal. The first word says the kind
 * ({@code pred}, {@code step}, {@code epoch}, {@code round}, {@code live}, {@code dlq}), so lines
 * of several topics can interleave; maps print in key order so equal records print equal lines.
 */
public final class RecordLines {

    private RecordLines() {
    }

    /** {@code pred  uci:42  positive 0.93  default v3  (true positive)}. */
    public static String prediction(Prediction p) {
        double probability = p.getProbabilities().getOrDefault(p.getLabel(), Double.NaN);
        StringBuilder line = new StringBuilder("pred  ").append(p.getId()).append("  ").append(p.getLabel()).append(' ')
                .append(fixed(probability, 2)).append("  ").append(p.getModelName()).append(" v").append(p.getModelVersion());
        if (p.getTrueLabel() != null) {
            line.append("  (true ").append(p.getTrueLabel())
                    .append(p.getTrueLabel().equals(p.getLabel()) ? ")" : ", missed)");
        }
        return line.toString();
    }

    /**
     * {@code round default r3  loss 0.41 macro_f1 0.90  decision=PUBLISHED trigger=VOLUME}; STEP and EPOCH
     * records start with {@code step} or {@code epoch} and their position.
     */
    public static String trainingMetrics(TrainingMetrics m) {
        StringBuilder line = new StringBuilder();
        MetricsScope scope = m.getScope();
        line.append(scope.name().toLowerCase(Locale.ROOT)).append(' ').append(m.getModelName()).append(" r")
                .append(m.getRound());
        if (scope == MetricsScope.EPOCH) {
            line.append(" epoch ").append(m.getEpoch());
        } else if (scope == MetricsScope.STEP) {
            line.append(" step ").append(m.getStep());
        }
        line.append("  ").append(values(m.getValues()));
        if (!m.getLabels().isEmpty()) {
            line.append("  ").append(new TreeMap<>(m.getLabels()).entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
        }
        if (!m.getPerDomain().isEmpty()) {
            line.append("  [").append(new TreeMap<>(m.getPerDomain()).entrySet().stream()
                    .map(e -> e.getKey() + " " + values(e.getValue())).collect(Collectors.joining("; "))).append(']');
        }
        return line.toString();
    }

    /** {@code live  default v3 CHAMPION  412 labeled  acc 0.912 f1 0.905  [amazon 0.930 (140)]  PROMOTED ...}. */
    public static String liveMetrics(LiveMetrics m) {
        StringBuilder line = new StringBuilder("live  ").append(m.getModelName()).append(" v").append(m.getModelVersion())
                .append(' ').append(m.getRole()).append("  ").append(m.getLabeledCount()).append(" labeled  acc ")
                .append(fixed(m.getAccuracy(), 3)).append(" f1 ").append(fixed(m.getMacroF1(), 3));
        if (!m.getPerDomain().isEmpty()) {
            line.append("  [").append(new TreeMap<>(m.getPerDomain()).entrySet().stream()
                    .map(e -> domain(e.getKey(), e.getValue())).collect(Collectors.joining(", "))).append(']');
        }
        if (m.getDecision() != null) {
            line.append("  ").append(m.getDecision());
        }
        return line.toString();
    }

    /** {@code dlq   uci:17  EMPTY_TEXT  reviews[1]@42  the text is blank}. */
    public static String deadLetter(DeadLetter d) {
        return "dlq   " + (d.getRecordId() == null ? "(no id)" : d.getRecordId()) + "  " + d.getReason() + "  "
                + d.getSourceTopic() + "[" + d.getSourcePartition() + "]@" + d.getSourceOffset() + "  " + d.getDetail();
    }

    private static String domain(String name, DomainScore score) {
        return name + " " + fixed(score.getAccuracy(), 3) + " (" + score.getCount() + ")";
    }

    private static String values(Map<String, Double> values) {
        return new TreeMap<>(values).entrySet().stream().map(e -> e.getKey() + " " + number(e.getValue()))
                .collect(Collectors.joining(" "));
    }

    /** Whole numbers as such, four decimals for scores and losses, scientific for learning rates. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e9) {
            return String.valueOf((long) value);
        }
        double magnitude = Math.abs(value);
        return magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e6)
                ? String.format(Locale.ROOT, "%.2e", value) : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String fixed(double value, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", value);
    }
}
