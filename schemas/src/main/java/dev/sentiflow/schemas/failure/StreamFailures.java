package dev.sentiflow.schemas.failure;

import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TransactionAbortedException;

/**
 * Sorts a failure that killed a stream thread: worth a new thread (the registry did not answer; it
 * may next time; or the broker ended our transaction, as it does when an outage outlasts the
 * transaction timeout: a new thread's producer starts clean and the records are retried from the
 * last commit) or not (a refused schema, a wrong URL, refused credentials, a bug: a new thread would
 * fail on the same record forever). Pure: no Kafka, no clock.
 */
public final class StreamFailures {

    public enum Kind { TRANSIENT, PERMANENT }

    private StreamFailures() {
    }

    public static Kind classify(Throwable failure) {
        // Streams wraps the cause (StreamsException, FailedProcessingException...): look down the whole chain.
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (t instanceof RegistryUnavailableException || endedTransaction(t)) {
                return Kind.TRANSIENT;
            }
        }
        return Kind.PERMANENT;
    }

    /**
     * The broker aborted the open transaction (its timeout passed while the broker was away) and the
     * commit then meets a state it no longer has. Streams handles the epoch error itself but lets the
     * state error kill the thread (KAFKA-19690, seen here after a broker killed and restarted
     * mid-stream): the transaction never committed, so a new thread redoes it from the last commit.
     */
    private static boolean endedTransaction(Throwable t) {
        return t instanceof InvalidTxnStateException || t instanceof InvalidProducerEpochException
                || t instanceof TransactionAbortedException;
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
