package dev.sentiflow.schemas.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.schemas.registry.IncompatibleSchemaException;
import dev.sentiflow.schemas.registry.RegistryConfigurationException;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.time.Duration;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.junit.jupiter.api.Test;

class StreamFailuresTest {

    private static StreamsException wrapped(Throwable cause) {
        // As Streams reports a serializer or processor failure: a StreamsException around a StreamsException.
        return new StreamsException("task 0_0 failed", new StreamsException("Unable to serialize record", cause));
    }

    @Test
    void anUnreachableRegistryIsWorthANewThreadARefusalIsNot() {
        var down = new RegistryUnavailableException("registry down", 503, new IOException("refused"));
        assertEquals(StreamFailures.Kind.TRANSIENT, StreamFailures.classify(down));
        assertEquals(StreamFailures.Kind.TRANSIENT, StreamFailures.classify(wrapped(down)));

        assertEquals(StreamFailures.Kind.PERMANENT, StreamFailures.classify(
                wrapped(new IncompatibleSchemaException("refused"))));
        assertEquals(StreamFailures.Kind.PERMANENT, StreamFailures.classify(
                wrapped(new RegistryConfigurationException("wrong url", 404, -1))));
        assertEquals(StreamFailures.Kind.PERMANENT, StreamFailures.classify(
                wrapped(new SchemaRegistryException("bad request", 422))));
        assertEquals(StreamFailures.Kind.PERMANENT, StreamFailures.classify(
                wrapped(new TopicAuthorizationException("not allowed to write reviews.dlq"))));
        assertEquals(StreamFailures.Kind.PERMANENT, StreamFailures.classify(wrapped(new NullPointerException())));
        assertEquals(StreamFailures.Kind.PERMANENT, StreamFailures.classify(new IllegalStateException()));
    }

    @Test
    void aTransactionTheBrokerEndedIsRedoneOnANewThread() {
        // As Streams reported it when a broker restart outlasted the transaction timeout.
        var commit = new StreamsException("Error encountered trying to commit a transaction",
                new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state."));
        assertEquals(StreamFailures.Kind.TRANSIENT, StreamFailures.classify(commit));
        assertEquals(StreamFailures.Kind.TRANSIENT, StreamFailures.classify(
                wrapped(new InvalidProducerEpochException("epoch bumped"))));
        // Fenced by another instance with our transactional id: a new thread would only fence it back.
        assertEquals(StreamFailures.Kind.PERMANENT, StreamFailures.classify(
                wrapped(new ProducerFencedException("fenced"))));
    }

    @Test
    void aCauseCycleDoesNotLoopAndTheRootCauseIsNamed() {
        var inner = new IllegalStateException("inner");
        var outer = new StreamsException("outer", inner);
        inner.initCause(outer);
        assertEquals(StreamFailures.Kind.PERMANENT, StreamFailures.classify(outer));
        var down = new RegistryUnavailableException("down", 0, null);
        assertEquals(down, StreamFailures.rootCause(wrapped(down)));
    }

    @Test
    void theHandlerStopsOnPermanentFailuresAndWaitsBeforeReplacingAThread() {
        var handler = new StreamFailureHandler("test");
        assertEquals(StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
                handler.handle(wrapped(new IncompatibleSchemaException("refused"))));
        var down = wrapped(new RegistryUnavailableException("down", 503, null));
        long begin = System.nanoTime();
        assertEquals(StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD,
                handler.handle(down));
        assertTrue(System.nanoTime() - begin >= Backoff.FIRST.toNanos() * 9 / 10, "no back-off");
        // A closing app does not sit out the (now 2 s) back-off, nor start a new thread.
        handler.closing();
        begin = System.nanoTime();
        assertEquals(StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
                handler.handle(down));
        assertTrue(System.nanoTime() - begin < Duration.ofMillis(500).toNanos());
    }
}
