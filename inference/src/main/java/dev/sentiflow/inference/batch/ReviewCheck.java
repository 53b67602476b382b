package dev.sentiflow.inference.batch;

import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.text.tokenizer.TokenLimits;
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

    private final TokenLimits limits;

    ReviewCheck(int vocabSize, int maxLength) {
        this.limits = new TokenLimits(vocabSize, maxLength);
    }

    Optional<Problem> check(TokenizedReview review) {
        if (review.getId() == null || review.getId().isBlank()) {
            return Optional.of(new Problem(DeadLetterReason.MISSING_ID, "the tokenized review has no id"));
        }
        List<Integer> ids = review.getTokenIds();
        if (ids == null || ids.isEmpty()) {
            return Optional.of(new Problem(DeadLetterReason.EMPTY_TEXT, "the tokenized review has no token ids"));
        }
        return limits.problem(ids).map(detail -> new Problem(DeadLetterReason.PROCESSING_ERROR, detail));
    }
}
