package dev.sentiflow.schemas.ops;

import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;

/**
 * Closes a Streams app within a bound: with the broker gone, an unbounded close sits in PENDING_SHUTDOWN
 * for minutes. A close that runs out leaves the app's threads running; the caller must then not free
 * what they use (a native model session freed under a running batch takes the JVM down).
 */
public final class StreamsShutdown {

    private StreamsShutdown() {
    }

    /** Closes {@code streams} within {@code timeout}; true when it stopped, else one warning for operators. */
    public static boolean close(KafkaStreams streams, Duration timeout, String app, Logger log) {
        long begin = System.nanoTime();
        boolean closed = streams.close(timeout);
        if (!closed) {
            log.warn("{} did not stop within {} ms (shutdown.timeout.ms); exiting in state {}: an open transaction is "
                    + "aborted by the broker, and its records are never read by read_committed consumers", app,
                    (System.nanoTime() - begin) / 1_000_000, streams.state());
        }
        return closed;
    }
}
