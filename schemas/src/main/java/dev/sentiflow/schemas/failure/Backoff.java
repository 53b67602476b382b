package dev.sentiflow.schemas.failure;

import java.time.Duration;

/**
 * How long to wait before trying again after a transient failure (a registry or broker away): 1 s,
 * then doubling up to 30 s while failures keep coming, back to 1 s once the retried work has run
 * for a while without failing. Without it, an outage would spin up new stream threads (and new
 * transactional producers), or hammer the registry, many times a second. Pure: the caller passes
 * the time.
 */
public final class Backoff {

    public static final Duration FIRST = Duration.ofSeconds(1);
    public static final Duration MAX = Duration.ofSeconds(30);
    /** Work that ran this long after its retry without failing counts as a success. */
    public static final Duration QUIET = Duration.ofSeconds(60);

    private Duration next = FIRST;
    private long lastFailureNanos;
    private Duration lastWait;

    /** The wait before replacing a thread that failed at {@code nowNanos} (monotonic). */
    public synchronized Duration onFailure(long nowNanos) {
        // The retry started lastWait after the last failure; if it has run quietly since, start over.
        if (lastWait != null && nowNanos - lastFailureNanos - lastWait.toNanos() > QUIET.toNanos()) {
            next = FIRST;
        }
        Duration wait = next;
        next = next.multipliedBy(2).compareTo(MAX) > 0 ? MAX : next.multipliedBy(2);
        lastFailureNanos = nowNanos;
        lastWait = wait;
        return wait;
    }

    /** The retried work succeeded: the next failure waits {@link #FIRST} again. */
    public synchronized void succeeded() {
        next = FIRST;
        lastWait = null;
    }
}
