package dev.sentiflow.deploy.report;

import dev.sentiflow.avro.Prediction;
import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns {@code predictions} into what the report shows of them: live accuracy and macro-F1 per
 * served (model, version), overall and per domain, from the predictions that carry a true label;
 * the confusion matrix of each model's newest version that has such predictions; and throughput
 * and latency over time ({@link TrafficFold}). Memory grows with versions, domains and labels, not
 * with the number of predictions.
 */
public final class PredictionFold {

    private record Version(String model, long version) {
    }

    private record Pair(String trueLabel, String predicted) {
    }

    private static final Comparator<Version> ORDER = Comparator.comparing(Version::model)
            .thenComparingLong(Version::version);

    private final Map<Version, Map<String, Map<Pair, Long>>> labeled = new TreeMap<>(ORDER);
    private final Set<String> labelsSeen = new LinkedHashSet<>();
    private final TrafficFold traffic = new TrafficFold();
    private long predictions;
    private long labeledCount;

    public void add(Prediction p) {
        predictions++;
        traffic.add(p.getScoredAt(), p.getEventTime());
        labelsSeen.addAll(new TreeMap<>(p.getProbabilities()).keySet());
        labelsSeen.add(p.getLabel());
        if (p.getTrueLabel() != null) {
            labeledCount++;
            labelsSeen.add(p.getTrueLabel());
            labeled.computeIfAbsent(new Version(p.getModelName(), p.getModelVersion()), v -> new TreeMap<>())
                    .computeIfAbsent(p.getDomain(), d -> new HashMap<>())
                    .merge(new Pair(p.getTrueLabel(), p.getLabel()), 1L, Long::sum);
        }
    }

    public long predictions() {
        return predictions;
    }

    public long labeled() {
        return labeledCount;
    }

    /**
     * The label order for the matrices: {@code known} (a checkpoint's labels, in logit order) first,
     * then any other label seen on the topic, in name order.
     */
    public List<String> labels(List<String> known) {
        Set<String> all = new LinkedHashSet<>(known);
        labelsSeen.stream().sorted().forEach(all::add);
        return List.copyOf(all);
    }

    /** Live scores of every version with labeled predictions, by model then version; {@code labels} from {@link #labels}. */
    public List<VersionScores> scores(List<String> labels) {
        List<VersionScores> out = new ArrayList<>();
        labeled.forEach((v, domains) -> {
            ConfusionMatrix overall = new ConfusionMatrix(labels);
            Map<String, Scores> perDomain = new TreeMap<>();
            domains.forEach((domain, pairs) -> {
                ConfusionMatrix m = new ConfusionMatrix(labels);
                pairs.forEach((pair, n) -> {
                    add(m, labels, pair, n);
                    add(overall, labels, pair, n);
                });
                perDomain.put(domain, scores(m));
            });
            out.add(new VersionScores(v.model(), v.version(), scores(overall), perDomain));
        });
        return out;
    }

    /** Per model, the confusion matrix of its newest version with labeled predictions; {@code labels} from {@link #labels}. */
    public List<Confusion> confusions(List<String> labels) {
        Map<String, Version> newest = new TreeMap<>();
        labeled.keySet().forEach(v -> newest.merge(v.model(), v, (a, b) -> a.version() >= b.version() ? a : b));
        List<Confusion> out = new ArrayList<>();
        newest.values().forEach(v -> {
            long[][] counts = new long[labels.size()][labels.size()];
            labeled.get(v).values().forEach(pairs -> pairs.forEach((pair, n) ->
                    counts[labels.indexOf(pair.trueLabel())][labels.indexOf(pair.predicted())] += n));
            out.add(new Confusion(v.model(), v.version(), labels, counts));
        });
        return out;
    }

    public List<TrafficBucket> traffic(int maxBuckets) {
        return traffic.buckets(maxBuckets);
    }

    private static void add(ConfusionMatrix m, List<String> labels, Pair pair, long n) {
        int t = labels.indexOf(pair.trueLabel());
        int p = labels.indexOf(pair.predicted());
        for (long i = 0; i < n; i++) {
            m.add(t, p);
        }
    }

    private static Scores scores(ConfusionMatrix m) {
        return new Scores(m.total(), m.accuracy(), m.macroF1());
    }
}
