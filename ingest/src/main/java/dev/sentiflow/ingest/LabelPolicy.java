package dev.sentiflow.ingest;

import dev.sentiflow.avro.DeadLetterReason;
import java.util.List;

/**
 * Decides a review's label: an explicit label wins and must be in the label set; otherwise the
 * rating is mapped (unless the mapping is {@code none}); with neither, the review is unlabeled (it is
 * scored, not trained on).
 */
public final class LabelPolicy {

    private final List<String> labels;
    private final RatingMapping ratings;

    public LabelPolicy(List<String> labels, RatingMapping ratings) {
        this.labels = List.copyOf(labels);
        this.ratings = ratings;
    }

    /** A label (null = unlabeled), or a rejection. */
    public sealed interface Decision permits Label, Reject {
    }

    public record Label(String label) implements Decision {
    }

    public record Reject(DeadLetterReason reason, String detail) implements Decision {
    }

    public Decision decide(String explicitLabel, Integer rating) {
        if (explicitLabel != null) {
            return RatingMapping.canonicalLabel(explicitLabel, labels)
                    .<Decision>map(Label::new)
                    .orElseGet(() -> new Reject(DeadLetterReason.UNKNOWN_LABEL,
                            "label '" + explicitLabel + "' is not one of " + labels + " (option labels)"));
        }
        if (rating == null || ratings.isNone()) {
            return new Label(null);
        }
        RatingMapping.Result mapped = ratings.map(rating);
        if (mapped instanceof RatingMapping.Labeled labeled) {
            return new Label(labeled.label());
        }
        if (mapped instanceof RatingMapping.Excluded) {
            return new Reject(DeadLetterReason.NEUTRAL_EXCLUDED,
                    "rating " + rating + " is excluded from training by rating.mapping '" + ratings + "'");
        }
        return new Reject(DeadLetterReason.INVALID_RATING,
                "rating " + rating + " is outside every range of rating.mapping '" + ratings + "'");
    }

    public List<String> labels() {
        return labels;
    }
}
