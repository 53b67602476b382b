package dev.sentiflow.ingest;

import java.time.Duration;

/**
 * How long to wait before replacing a stream thread that failed on a transient problem: 1 s, then
 * doubling up to 30 s while failures keep coming, back to 1 s once a replaced thread has run for a
 * while without failing. Without it, a registry outage would spin up a new thread (and a new
 * transactional producer) many times a second. Pure: the caller passes the time.
 */
final class ReplaceBackoff {

    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofSeconds(30);
    /** A thread that ran this long after its replacement counts as a success. */
    static final Duration QUIET = Duration.ofSeconds(60);

    private Duration next = FIRST;
    private long lastFailureNanos;
    private Duration lastWait;

    /** The wait before replacing a thread that failed at {@code nowNanos} (monotonic). */
    synchronized Duration onFailure(long nowNanos) {
        // The replacement started lastWait after the last failure; if it has run quietly since, start over.
        if (lastWait != null && nowNanos - lastFailureNanos - lastWait.toNanos() > QUIET.toNanos()) {
            next = FIRST;
        }
        Duration wait = next;
        next = next.multipliedBy(2).compareTo(MAX) > 0 ? MAX : next.multipliedBy(2);
        lastFailureNanos = nowNanos;
        lastWait = wait;
        return wait;
    }
}
