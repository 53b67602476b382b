package dev.sentiflow.schemas.failure;

import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Sorts a failure that killed a stream thread: worth a new thread (the registry did not answer; it
 * may next time, and the records are retried from the last commit) or not (a refused schema, a
 * wrong URL, refused credentials, a bug: a new thread would fail on the same record forever).
 * Pure: no Kafka, no clock.
 */
public final class StreamFailures {

    public enum Kind { TRANSIENT, PERMANENT }

    private StreamFailures() {
    }

    public static Kind classify(Throwable failure) {
        // Streams wraps the cause (StreamsException, FailedProcessingException...): look down the whole chain.
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (t instanceof RegistryUnavailableException) {
                return Kind.TRANSIENT;
            }
        }
        return Kind.PERMANENT;
    }

    /** The deepest cause, which names the problem better than Streams' wrappers. */
    public static Throwable rootCause(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        Throwable root = failure;
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            root = t;
        }
        return root;
    }
}
