package dev.sentiflow.schemas.failure;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread dies: a transient failure (registry unreachable) gets a new
 * thread after a growing pause, resuming from the last commit so nothing is lost; a permanent one
 * stops this instance with one ERROR line naming the cause, because a new thread would fail on the
 * same record forever while its partition waits.
 */
public final class StreamFailureHandler implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(StreamFailureHandler.class);

    private final Backoff backoff = new Backoff();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final String service;

    /** @param service the app's name, for its log lines ("ingest", "inference") */
    public StreamFailureHandler(String service) {
        this.service = service;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable failure) {
        Throwable cause = StreamFailures.rootCause(failure);
        if (StreamFailures.classify(failure) == StreamFailures.Kind.PERMANENT) {
            LOG.error("{} stopping: a stream thread failed on a problem that retrying cannot fix: {}",
                    service, describe(failure, cause));
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Duration wait = backoff.onFailure(System.nanoTime());
        LOG.warn("{} stream thread failed on a transient problem; replacing it in {} ms (resuming from the last "
                + "commit): {}", service, wait.toMillis(), describe(failure, cause));
        try {
            if (closing.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT; // the app is closing: no new thread
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * Puts a handler on {@code streams} with the state listener that goes with it: each state change
     * logged (one line), a closing app ends any back-off in progress, and {@code next} hears of it too.
     */
    public static StreamFailureHandler install(KafkaStreams streams, String service, KafkaStreams.StateListener next) {
        StreamFailureHandler handler = new StreamFailureHandler(service);
        streams.setUncaughtExceptionHandler(handler);
        streams.setStateListener((now, before) -> {
            LOG.info("{} state {} -> {}", service, before, now);
            if (now == KafkaStreams.State.PENDING_SHUTDOWN || now == KafkaStreams.State.PENDING_ERROR) {
                handler.closing(); // a thread waiting to be replaced must not hold up the close
            }
            next.onChange(now, before);
        });
        return handler;
    }

    /** Ends any pause in progress, so a closing app does not wait for a back-off. */
    public void closing() {
        closing.countDown();
    }

    private static String describe(Throwable failure, Throwable cause) {
        return cause == failure ? failure.toString() : cause + " (in " + failure.getClass().getSimpleName() + ")";
    }
}
