package dev.sentiflow.trainer.loop;

import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.trainer.intake.ExampleIntake;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts the records one poll fetched from a partition into each model's {@link ExampleIntake}, in
 * offset order, and says where the partition must stop when it cannot take a record now: the window
 * of its model is full (read it again after the round), or the registry does not answer (read it
 * again after a back-off). Either way no later record of that partition is taken in this poll, so
 * nothing past the stop is skipped. A record that is not a {@code TokenizedReview} (random bytes, a
 * schema id the registry does not know, a tombstone) is the record's fault: skipped and counted,
 * never a reason to stop.
 *
 * <p>A window that fills before its model has a single evaluation example cannot start a round (the
 * gate has nothing to judge by), and stopping there would keep the evaluation examples behind it
 * unread for good. So the partition reads on instead, taking only held-out examples
 * ({@link ExampleIntake#acceptAhead}); the {@link OffsetBook} keeps the round's commit below the
 * first record skipped, and the partition is read again from there after the round.
 */
public final class RecordRouter {

    private static final Logger LOG = LoggerFactory.getLogger(RecordRouter.class);
    /** Distinct refusal causes logged one line each; beyond that they are only counted. */
    private static final int MAX_WARNINGS = 100;

    /** Where a partition stopped, and why. */
    public sealed interface Stop permits WindowFull, RegistryAway {
        /** The first offset not taken: the consumer reads the partition again from here. */
        long offset();
    }

    /** The model's window is full: the partition waits for that model's round. */
    public record WindowFull(long offset, String model) implements Stop {}

    /** The registry did not answer: the partition waits for a back-off, then tries the same record again. */
    public record RegistryAway(long offset, RegistryUnavailableException cause) implements Stop {}

    private final BiFunction<String, byte[], RecordDecoder.Decoded<TokenizedReview>> decoder;
    private final Function<String, String> modelFor;
    private final ModelStates models;
    private final OffsetBook book;
    private final Set<String> warned = new HashSet<>();
    private long undecodable;

    /** @param decoder (topic, value) to a review or why not; throws when the registry does not answer */
    public RecordRouter(BiFunction<String, byte[], RecordDecoder.Decoded<TokenizedReview>> decoder,
            Function<String, String> modelFor, ModelStates models, OffsetBook book) {
        this.decoder = decoder;
        this.modelFor = modelFor;
        this.models = models;
        this.book = book;
    }

    /** Takes {@code records} (one partition's, in offset order) until one cannot be taken now. */
    public Optional<Stop> route(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Optional<Stop> stop = take(tp, r);
            if (stop.isPresent()) {
                return stop;
            }
        }
        return Optional.empty();
    }

    private Optional<Stop> take(TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
        RecordDecoder.Decoded<TokenizedReview> decoded;
        try {
            decoded = decoder.apply(r.topic(), r.value());
        } catch (RegistryUnavailableException e) {
            return Optional.of(new RegistryAway(r.offset(), e));
        }
        boolean ahead = book.isReadingAhead(tp);
        if (decoded instanceof RecordDecoder.Bad<TokenizedReview> bad) {
            if (ahead) {
                return Optional.empty(); // counted when read again
            }
            book.taken(tp, r.offset());
            undecodable++;
            if (warned.size() < MAX_WARNINGS && warned.add("undecodable|" + tp + "|" + r.offset())) {
                LOG.warn("skipping undecodable record {}@{} (counted; {} so far): {}", tp, r.offset(), undecodable,
                        bad.detail());
            }
            return Optional.empty();
        }
        TokenizedReview review = ((RecordDecoder.Ok<TokenizedReview>) decoded).value();
        String model = modelFor.apply(review.getDomain());
        ExampleIntake intake = models.intake(model);
        if (ahead) {
            intake.acceptAhead(review, r.topic(), r.partition(), r.offset());
            return Optional.empty();
        }
        boolean history = book.isHistory(tp, model, r.offset());
        ExampleIntake.Outcome outcome = intake.accept(review, r.topic(), r.partition(), r.offset(), history);
        if (outcome == ExampleIntake.Outcome.WINDOW_FULL) {
            // Not stored, so not taken: the partition is read again from here after the round.
            if (intake.evalSize() == 0) {
                book.readAhead(tp, r.offset());
                LOG.info("model {}: window full ({} examples) before any evaluation example; reading {} on from "
                        + "offset {} for held-out examples only (the rest is read again after the round)", model,
                        intake.windowSize(), tp, r.offset());
                return Optional.empty();
            }
            return Optional.of(new WindowFull(r.offset(), model));
        }
        book.taken(tp, r.offset());
        switch (outcome) {
            case TRAIN -> {
                if (!history) {
                    models.trigger(model).examplesArrived(1);
                }
            }
            case REFUSED_TOKENIZER -> warnOnce(model + "|tokenizer|" + review.getTokenizerId(), () -> LOG.warn(
                    "refused {} at {}@{}: tokenized with {} but model {} uses another tokenizer; such records are "
                    + "never trained on (counted, not logged again)", review.getId(), tp, r.offset(),
                    review.getTokenizerId(), model));
            case REFUSED_TOKENS -> warnOnce(model + "|tokens", () -> LOG.warn(
                    "refused {} at {}@{}: it {}; such records are never trained on (counted, not logged again for "
                    + "model {})", review.getId(), tp, r.offset(), intake.problem(review).orElse("does not fit"),
                    model));
            case REFUSED_LABEL -> warnOnce(model + "|label|" + review.getLabel(), () -> LOG.warn(
                    "refused {} at {}@{}: label '{}' is not one of the model's labels (counted, not logged again)",
                    review.getId(), tp, r.offset(), review.getLabel()));
            default -> { }
        }
        return Optional.empty();
    }

    private void warnOnce(String key, Runnable log) {
        if (warned.size() < MAX_WARNINGS && warned.add(key)) {
            log.run();
        }
    }

    /** Records skipped because they are not a {@code TokenizedReview}. */
    public long undecodable() {
        return undecodable;
    }
}
