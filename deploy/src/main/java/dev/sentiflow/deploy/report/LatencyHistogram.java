package dev.sentiflow.deploy.report;

import java.util.Arrays;

/**
 * Counts latencies in milliseconds in bins that are exact below {@value #EXACT} ms and then grow
 * by 3% each, so a percentile read back is within 3% of the true value whatever the range, and two
 * histograms merge exactly (bucketing over time merges them). Negative latencies (a producer's
 * clock ahead of the scorer's) count as 0.
 */
final class LatencyHistogram {

    static final int EXACT = 128;
    private static final double GROWTH = 1.03;
    private static final double LOG_GROWTH = Math.log(GROWTH);

    private long[] counts = new long[0];
    private long total;

    void add(long millis) {
        int bin = bin(Math.max(0, millis));
        if (bin >= counts.length) {
            counts = Arrays.copyOf(counts, Math.max(bin + 1, counts.length * 2));
        }
        counts[bin]++;
        total++;
    }

    void addAll(LatencyHistogram other) {
        if (other.counts.length > counts.length) {
            counts = Arrays.copyOf(counts, other.counts.length);
        }
        for (int i = 0; i < other.counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    long total() {
        return total;
    }

    /** The nearest-rank {@code q} quantile (0 < q ≤ 1), as its bin's middle; NaN when empty. */
    double quantile(double q) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int bin = 0; bin < counts.length; bin++) {
            seen += counts[bin];
            if (seen >= rank) {
                return middle(bin);
            }
        }
        return middle(counts.length - 1);
    }

    static int bin(long millis) {
        if (millis < EXACT) {
            return (int) millis;
        }
        return EXACT + (int) Math.floor(Math.log((double) millis / EXACT) / LOG_GROWTH);
    }

    /** The value a bin stands for: itself below {@value #EXACT}, else the geometric middle of its range. */
    static double middle(int bin) {
        if (bin < EXACT) {
            return bin;
        }
        double low = EXACT * Math.pow(GROWTH, bin - EXACT);
        return low * Math.sqrt(GROWTH);
    }
}
