package dev.sentiflow.deploy.report;

import java.time.Duration;
import java.time.Instant;

/**
 * Predictions scored in {@code [start, start + width)} (by {@code scoredAt}) and their latency,
 * {@code scoredAt - eventTime}, at the median and the 99th percentile; NaN when the bucket is empty.
 */
public record TrafficBucket(Instant start, Duration width, long predictions, double p50Millis, double p99Millis) {

    public double perSecond() {
        return predictions / (width.toMillis() / 1000.0);
    }
}
