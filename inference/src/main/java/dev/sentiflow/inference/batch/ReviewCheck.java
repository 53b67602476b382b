package dev.sentiflow.inference.batch;

import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.TokenizedReview;
import java.util.List;
import java.util.Optional;

/**
 * What a decoded record must satisfy before it may enter a batch. A token id outside the vocabulary
 * or a sequence longer than the model's positions would fail the forward for the whole batch, and a
 * failure that repeats on every retry would block the partition: such records are refused here.
 */
final class ReviewCheck {

    /** Why a record cannot be scored. */
    record Problem(DeadLetterReason reason, String detail) {}

    private final int vocabSize;
    private final int maxLength;

    ReviewCheck(int vocabSize, int maxLength) {
        this.vocabSize = vocabSize;
        this.maxLength = maxLength;
    }

    Optional<Problem> check(TokenizedReview review) {
        if (review.getId() == null || review.getId().isBlank()) {
            return Optional.of(new Problem(DeadLetterReason.MISSING_ID, "the tokenized review has no id"));
        }
        List<Integer> ids = review.getTokenIds();
        if (ids == null || ids.isEmpty()) {
            return Optional.of(new Problem(DeadLetterReason.EMPTY_TEXT, "the tokenized review has no token ids"));
        }
        if (ids.size() > maxLength) {
            return Optional.of(new Problem(DeadLetterReason.PROCESSING_ERROR, "has " + ids.size()
                    + " tokens but the served models take at most " + maxLength + " (max.length); tokenize with "
                    + "tokenizer.max.length <= " + maxLength));
        }
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                return Optional.of(new Problem(DeadLetterReason.PROCESSING_ERROR, "token id " + id
                        + " is outside the model's vocabulary of " + vocabSize));
            }
        }
        return Optional.empty();
    }
}
