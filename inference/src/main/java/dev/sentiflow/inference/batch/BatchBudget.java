package dev.sentiflow.inference.batch;

import java.time.Duration;

/**
 * How much one micro-batch may cost, so that it always finishes well inside its exactly-once
 * transaction: at most {@code maxRecords} rows and {@code maxTokens} padded tokens (rows × the
 * longest row), and, once batches have been timed, no more tokens than the measured cost per token
 * says fit in {@code maxTime}. The measured time is the whole scoring call, shadow scoring of a
 * challenger included, so a batch that does double work gets half the tokens. At least one record
 * is always taken: a record alone is never split.
 *
 * <p>Pure: the caller passes the measurements. One per task (stream threads do not share it).
 */
public final class BatchBudget {

    /** Weight of the newest measurement in the running cost per token. */
    private static final double SMOOTHING = 0.3;

    private final int maxRecords;
    private final long maxTokens;
    private final long maxNanos;
    private double nanosPerToken;

    public BatchBudget(BatchPolicy policy) {
        this.maxRecords = policy.maxRecords();
        this.maxTokens = policy.maxTokens();
        this.maxNanos = policy.maxTime().toNanos();
    }

    /** Padded tokens the next batch may hold. */
    public long tokens() {
        if (nanosPerToken <= 0) {
            return maxTokens;
        }
        return Math.max(1, Math.min(maxTokens, (long) (maxNanos / nanosPerToken)));
    }

    /**
     * How many of the oldest records to take, given their token counts in order: stops before the
     * record that would push rows × longest past {@link #tokens()}, or at {@code maxRecords}.
     */
    public int take(int[] lengths) {
        long cap = tokens();
        int longest = 0;
        int rows = 0;
        for (int length : lengths) {
            if (rows == maxRecords) {
                break;
            }
            int wouldBeLongest = Math.max(longest, length);
            if (rows > 0 && (long) (rows + 1) * wouldBeLongest > cap) {
                break;
            }
            longest = wouldBeLongest;
            rows++;
        }
        return rows;
    }

    /** A batch of {@code rows} rows, the longest {@code longest} tokens, took {@code nanos} to score. */
    public void scored(int rows, int longest, long nanos) {
        long tokens = (long) rows * longest;
        if (tokens <= 0 || nanos <= 0) {
            return;
        }
        double measured = (double) nanos / tokens;
        nanosPerToken = nanosPerToken <= 0 ? measured : SMOOTHING * measured + (1 - SMOOTHING) * nanosPerToken;
    }

    /** The time one batch may take. */
    public Duration maxTime() {
        return Duration.ofNanos(maxNanos);
    }
}
