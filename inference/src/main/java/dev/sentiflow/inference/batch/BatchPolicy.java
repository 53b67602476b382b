package dev.sentiflow.inference.batch;

import java.time.Duration;

/**
 * When a micro-batch is scored: once it holds {@code maxRecords} records, or when {@code maxWait}
 * of wall-clock time has passed, whichever comes first. Batches are per task, that is per input
 * partition.
 */
public record BatchPolicy(int maxRecords, Duration maxWait) {

    public BatchPolicy {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("a batch holds at least 1 record, got " + maxRecords);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("the batch wait must be positive, got " + maxWait);
        }
    }
}
