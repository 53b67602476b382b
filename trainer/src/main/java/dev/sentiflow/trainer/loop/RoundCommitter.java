package dev.sentiflow.trainer.loop;

import dev.sentiflow.schemas.failure.Backoff;
import dev.sentiflow.schemas.registry.IncompatibleSchemaException;
import dev.sentiflow.schemas.registry.RegistryConfigurationException;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.registry.SchemaRegistryException;
import dev.sentiflow.trainer.publish.RoundPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits what the loop finished, on the polling thread (the consumer's group metadata goes with
 * the offsets): a trained round with its offsets, or, when idle, the step over commit markers. A
 * commit that fails for anything retrying can fix keeps the round and tries again after a back-off
 * (1 s doubling to 30 s); before a retry it asks the group whether the failed attempt committed
 * after all (a commit that timed out on our side may have completed on the broker's), so a round is
 * never published twice. A fenced producer (another trainer took over), refused credentials or
 * authorization, a registry that refuses us, a record too big for the topic or a schema refused as
 * incompatible end the loop: retrying cannot fix those.
 */
public final class RoundCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(RoundCommitter.class);

    private final RoundPublisher publisher;
    private final Consumer<byte[], byte[]> consumer;
    private final OffsetBook book;
    private final Clock clock;
    private final Backoff backoff = new Backoff();
    private volatile long failedCommits;

    public RoundCommitter(RoundPublisher publisher, Consumer<byte[], byte[]> consumer, OffsetBook book, Clock clock) {
        this.publisher = publisher;
        this.consumer = consumer;
        this.book = book;
        this.clock = clock;
    }

    /**
     * Commits {@code round} if its next attempt is due.
     *
     * @return true when the round's transaction is committed (by this call or by an earlier attempt)
     */
    public boolean commit(RoundInFlight round) {
        if (!round.due(clock.millis())) {
            return false;
        }
        RoundRunner.Finished f = round.finished();
        boolean retry = round.nextAttempt();
        try {
            if (retry) {
                publisher.ready();
                if (committedAlready(round.offsets())) {
                    LOG.info("model {} v{}: the failed attempt had committed after all (the group's offsets moved)",
                            round.job().model(), round.job().version());
                    committed(round.offsets());
                    return true;
                }
            }
            publisher.commit(f.publication(), f.metrics().records(), round.offsets(), consumer.groupMetadata());
        } catch (ProducerFencedException | AuthenticationException | AuthorizationException
                | RegistryConfigurationException e) {
            throw e;
        } catch (KafkaException | SchemaRegistryException e) {
            failedCommits++;
            unfixable(e).ifPresent(why -> {
                throw new IllegalStateException("model " + round.job().model() + " v" + round.job().version()
                        + ": the finished round cannot be committed, and retrying would not help: " + why, e);
            });
            Duration wait = backoff.onFailure(System.nanoTime());
            round.retryAt(clock.millis() + wait.toMillis());
            LOG.warn("model {} v{}: committing the finished round failed (attempt {}: {}); the round is kept and "
                    + "committed again in {} ms", round.job().model(), round.job().version(), round.attempts(),
                    e.toString(), wait.toMillis());
            return false;
        }
        committed(round.offsets());
        return true;
    }

    /**
     * When idle: moves the committed offsets over what lies past them if that is only commit markers
     * of a transactional producer (ingest), so the group's lag reaches zero. An offsets-only
     * transaction: nothing else is written. A failure is logged and tried again when next idle.
     */
    public void commitMarkers(java.util.Set<TopicPartition> assignment, ToLongFunction<TopicPartition> position) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = book.markersOnly(assignment, position);
            if (offsets.isEmpty()) {
                return;
            }
            publisher.commit(Optional.empty(), List.of(), offsets, consumer.groupMetadata());
            book.committed(offsets);
        } catch (ProducerFencedException | AuthenticationException | AuthorizationException
                | RegistryConfigurationException e) {
            throw e;
        } catch (KafkaException | RegistryUnavailableException e) {
            LOG.warn("could not move the committed offsets over commit markers ({}); retrying when idle", e.toString());
        }
    }

    /**
     * Why a failed commit would fail again however often it is tried: a record bigger than the topic
     * or the producer takes, or a schema the registry refuses as incompatible. Empty for anything
     * else (a broker or registry away, a timeout, a coordinator moving).
     */
    static Optional<String> unfixable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException) {
                return Optional.of("a checkpoint record is bigger than the models topic or the producer takes ("
                        + t.getMessage() + "); lower checkpoint.chunk.bytes or raise the topic's max.message.bytes");
            }
            if (t instanceof IncompatibleSchemaException) {
                return Optional.of("the schema registry refuses our schema as incompatible (" + t.getMessage() + ")");
            }
        }
        return Optional.empty();
    }

    /** Commit attempts of finished rounds that failed (and were retried). */
    public long failedCommits() {
        return failedCommits;
    }

    private void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        backoff.succeeded();
        book.committed(offsets);
    }

    /** Whether the group's committed offsets already are the round's (its transaction did commit). */
    private boolean committedAlready(Map<TopicPartition, OffsetAndMetadata> offsets) {
        boolean moved = offsets.entrySet().stream().anyMatch(e -> e.getValue().offset()
                > book.committed(e.getKey()).orElse(-1));
        if (!moved) {
            return false;
        }
        Map<TopicPartition, OffsetAndMetadata> now = consumer.committed(offsets.keySet(), Duration.ofSeconds(10));
        return offsets.entrySet().stream().allMatch(e -> now.get(e.getKey()) != null
                && now.get(e.getKey()).offset() == e.getValue().offset());
    }
}
