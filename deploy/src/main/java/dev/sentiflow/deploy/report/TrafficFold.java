package dev.sentiflow.deploy.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Predictions per time bucket (by {@code scoredAt}) with their latency histograms, in bounded memory
 * however long the topic spans: buckets start at one second and widen along {@link #LADDER} (each
 * width divides the next, so merging is exact) whenever more than {@value #MAX_BUCKETS} would be
 * needed. {@link #buckets} then merges them into at most a given number of display buckets, empty
 * ones included so the time axis stays honest. Buckets are aligned to multiples of their width since
 * the epoch (UTC).
 */
final class TrafficFold {

    static final List<Duration> LADDER = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(6), Duration.ofHours(12),
            Duration.ofDays(1), Duration.ofDays(7), Duration.ofDays(28), Duration.ofDays(364));
    static final int MAX_BUCKETS = 4096;

    private int rung;
    private TreeMap<Long, LatencyHistogram> buckets = new TreeMap<>();

    void add(Instant scoredAt, Instant eventTime) {
        long index = Math.floorDiv(scoredAt.toEpochMilli(), widthMillis(rung));
        buckets.computeIfAbsent(index, i -> new LatencyHistogram())
                .add(scoredAt.toEpochMilli() - eventTime.toEpochMilli());
        while (buckets.lastKey() - buckets.firstKey() + 1 > MAX_BUCKETS && rung < LADDER.size() - 1) {
            buckets = regroup(buckets, widthMillis(rung), widthMillis(rung + 1));
            rung++;
        }
    }

    /** At most {@code maxBuckets} buckets (fewer when the data spans less) from the first to the last. */
    List<TrafficBucket> buckets(int maxBuckets) {
        if (buckets.isEmpty()) {
            return List.of();
        }
        int display = rung;
        long fine = widthMillis(rung);
        long first = buckets.firstKey() * fine;
        long last = buckets.lastKey() * fine;
        while (display < LADDER.size() - 1
                && Math.floorDiv(last, widthMillis(display)) - Math.floorDiv(first, widthMillis(display)) + 1 > maxBuckets) {
            display++;
        }
        long width = widthMillis(display);
        TreeMap<Long, LatencyHistogram> merged = regroup(buckets, fine, width);
        List<TrafficBucket> out = new ArrayList<>();
        for (long i = merged.firstKey(); i <= merged.lastKey(); i++) {
            LatencyHistogram h = merged.getOrDefault(i, new LatencyHistogram());
            out.add(new TrafficBucket(Instant.ofEpochMilli(i * width), Duration.ofMillis(width), h.total(),
                    h.quantile(0.50), h.quantile(0.99)));
        }
        return out;
    }

    private static TreeMap<Long, LatencyHistogram> regroup(TreeMap<Long, LatencyHistogram> from, long fromWidth,
            long toWidth) {
        long factor = toWidth / fromWidth;
        TreeMap<Long, LatencyHistogram> to = new TreeMap<>();
        for (Map.Entry<Long, LatencyHistogram> e : from.entrySet()) {
            to.computeIfAbsent(Math.floorDiv(e.getKey(), factor), i -> new LatencyHistogram()).addAll(e.getValue());
        }
        return to;
    }

    private static long widthMillis(int rung) {
        return LADDER.get(rung).toMillis();
    }
}
