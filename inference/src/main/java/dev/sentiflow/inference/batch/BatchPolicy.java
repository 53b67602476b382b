package dev.sentiflow.inference.batch;

import java.time.Duration;

/**
 * When a micro-batch is scored and how big it may be: scored once it holds {@code maxRecords}
 * records, or when {@code maxWait} of wall-clock time has passed, whichever comes first; never more
 * than {@code maxTokens} padded tokens (rows × longest row) nor, as measured, more than
 * {@code maxTime} of model time (see {@link BatchBudget}). With {@code acrossPartitions} a batch takes the
 * pending records of every input partition its stream thread owns, oldest first (the records count
 * toward {@code maxRecords} together); without it each partition (task) batches alone. With
 * {@code commitQuietBatches} a batch cut by its wait (a quiet partition) asks Streams to commit at once,
 * so its predictions reach {@code read_committed} readers without waiting for the commit interval; full
 * batches (a backlog) leave commits to the interval.
 */
public record BatchPolicy(int maxRecords, Duration maxWait, long maxTokens, Duration maxTime, boolean commitQuietBatches,
        boolean acrossPartitions) {

    /** 32 rows of 128 tokens. */
    public static final long DEFAULT_MAX_TOKENS = 32 * 128;
    public static final Duration DEFAULT_MAX_TIME = Duration.ofSeconds(2);

    public BatchPolicy {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("a batch holds at least 1 record, got " + maxRecords);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("the batch wait must be positive, got " + maxWait);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("a batch holds at least 1 token, got " + maxTokens);
        }
        if (maxTime.isNegative() || maxTime.isZero()) {
            throw new IllegalArgumentException("the batch time must be positive, got " + maxTime);
        }
    }

    /** Committing the batches cut by their wait, batching across the thread's partitions. */
    public BatchPolicy(int maxRecords, Duration maxWait, long maxTokens, Duration maxTime) {
        this(maxRecords, maxWait, maxTokens, maxTime, true, true);
    }

    /** With the default token and time bounds, committing the batches cut by their wait, across partitions. */
    public BatchPolicy(int maxRecords, Duration maxWait) {
        this(maxRecords, maxWait, Math.max(DEFAULT_MAX_TOKENS, maxRecords * 128L), DEFAULT_MAX_TIME);
    }
}
