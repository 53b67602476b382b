package dev.sentiflow.inference.live;

import dev.sentiflow.avro.DomainScore;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.LiveRole;
import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Live accuracy and macro-F1 of each served (model, version) over a sliding window of its last
 * {@code windowRecords} labeled predictions, overall and per domain: what the trainer's drift trigger
 * compares with the accuracy a version was published with. Pure logic; the processor feeds it the
 * labeled predictions of its task and publishes {@link #changed} windows.
 */
public final class LiveQuality {

    private record Entry(String domain, int trueLabel, int predicted, long atMillis) {}

    private record Key(String model, long version) {}

    private final List<String> labels;
    private final int windowRecords;
    private final Map<Key, Deque<Entry>> windows = new LinkedHashMap<>();
    private final Map<Key, Boolean> dirty = new LinkedHashMap<>();

    public LiveQuality(List<String> labels, int windowRecords) {
        if (windowRecords < 1) {
            throw new IllegalArgumentException("window must hold at least 1 record, got " + windowRecords);
        }
        this.labels = List.copyOf(labels);
        this.windowRecords = windowRecords;
    }

    /** Takes one labeled prediction; predictions of labels outside the label set are ignored. */
    public void add(String model, long version, String domain, String trueLabel, String predicted, long atMillis) {
        int t = labels.indexOf(trueLabel);
        int p = labels.indexOf(predicted);
        if (t < 0 || p < 0) {
            return;
        }
        Key key = new Key(model, version);
        Deque<Entry> window = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
        window.addLast(new Entry(Objects.requireNonNullElse(domain, "default"), t, p, atMillis));
        while (window.size() > windowRecords) {
            window.removeFirst();
        }
        dirty.put(key, true);
    }

    /** The windows that took records since the last call, as LiveMetrics records (CHAMPION: they served). */
    public List<LiveMetrics> changed(Instant now) {
        List<LiveMetrics> out = new ArrayList<>();
        dirty.forEach((key, changed) -> {
            if (changed) {
                out.add(metrics(key, windows.get(key), now));
            }
        });
        dirty.replaceAll((k, v) -> false);
        return out;
    }

    /** Keeps at most {@code versions} versions per model, the newest: replaced ones get no more records. */
    public void retainNewest(int versions) {
        Map<String, List<Key>> byModel = new TreeMap<>();
        windows.keySet().forEach(k -> byModel.computeIfAbsent(k.model(), m -> new ArrayList<>()).add(k));
        byModel.values().forEach(keys -> {
            keys.sort((a, b) -> Long.compare(b.version(), a.version()));
            keys.stream().skip(versions).forEach(k -> {
                windows.remove(k);
                dirty.remove(k);
            });
        });
    }

    private LiveMetrics metrics(Key key, Deque<Entry> window, Instant now) {
        ConfusionMatrix overall = new ConfusionMatrix(labels);
        Map<String, ConfusionMatrix> domains = new TreeMap<>();
        long start = Long.MAX_VALUE;
        for (Entry e : window) {
            overall.add(e.trueLabel(), e.predicted());
            domains.computeIfAbsent(e.domain(), d -> new ConfusionMatrix(labels)).add(e.trueLabel(), e.predicted());
            start = Math.min(start, e.atMillis());
        }
        Map<String, DomainScore> perDomain = new LinkedHashMap<>();
        domains.forEach((d, m) -> perDomain.put(d, DomainScore.newBuilder().setCount(m.total())
                .setAccuracy(m.accuracy()).setMacroF1(m.macroF1()).build()));
        return LiveMetrics.newBuilder().setModelName(key.model()).setModelVersion(key.version())
                .setRole(LiveRole.CHAMPION).setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(now).setLabeledCount(window.size()).setAccuracy(overall.accuracy())
                .setMacroF1(overall.macroF1()).setPerDomain(perDomain).setCreatedAt(now).build();
    }
}
