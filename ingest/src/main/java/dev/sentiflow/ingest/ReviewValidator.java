package dev.sentiflow.ingest;

import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.Review;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ingest rules, Kafka-free: a decoded review either becomes a {@link TokenizedReview} or a
 * {@link Rejection} naming what is wrong with it.
 */
public final class ReviewValidator {

    /**
     * Longest id and domain, in UTF-8 bytes. The id travels twice in a tokenized record (key and
     * field) and in every prediction, the domain names a model: a huge one would make our output too
     * big for the topic and stall the partition, as a huge text would.
     */
    static final int MAX_ID_BYTES = 1024;
    static final int MAX_DOMAIN_BYTES = 256;

    /** Accepted and tokenized, or rejected. */
    public sealed interface Outcome permits Accepted, Rejected {
    }

    public record Accepted(TokenizedReview tokenized) implements Outcome {
    }

    public record Rejected(Rejection rejection) implements Outcome {
    }

    private final LabelPolicy labels;
    private final TextTokenizer tokenizer;
    private final int maxTextBytes;

    public ReviewValidator(LabelPolicy labels, TextTokenizer tokenizer, int maxTextBytes) {
        this.labels = labels;
        this.tokenizer = tokenizer;
        this.maxTextBytes = maxTextBytes;
    }

    public Outcome validate(Review review) {
        String id = review.getId();
        if (id == null || id.isBlank()) {
            return reject(DeadLetterReason.MISSING_ID, "review has no id (empty or blank)", null);
        }
        int idBytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (idBytes > MAX_ID_BYTES) {
            return reject(DeadLetterReason.FIELD_TOO_LARGE, "review id is " + idBytes + " UTF-8 bytes, over the limit of "
                    + MAX_ID_BYTES + " (it starts '" + id.substring(0, 40) + "...')", null);
        }
        String domain = review.getDomain();
        int domainBytes = domain == null ? 0 : domain.getBytes(StandardCharsets.UTF_8).length;
        if (domainBytes > MAX_DOMAIN_BYTES) {
            return reject(DeadLetterReason.FIELD_TOO_LARGE, "review " + id + " domain is " + domainBytes
                    + " UTF-8 bytes, over the limit of " + MAX_DOMAIN_BYTES, id);
        }
        String text = review.getText();
        if (text == null || text.isBlank()) {
            return reject(DeadLetterReason.EMPTY_TEXT, "review " + id + " has empty or blank text", id);
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxTextBytes) {
            return reject(DeadLetterReason.TEXT_TOO_LARGE, "review " + id + " text is " + bytes
                    + " UTF-8 bytes, over the limit of " + maxTextBytes + " (option text.max.bytes)", id);
        }
        LabelPolicy.Decision decision = labels.decide(review.getLabel(), review.getRating());
        if (decision instanceof LabelPolicy.Reject r) {
            return reject(r.reason(), "review " + id + ": " + r.detail(), id);
        }
        TextTokenizer.Encoded encoded = tokenizer.tokenize(text);
        List<Integer> ids = new ArrayList<>(encoded.ids().length);
        for (int tokenId : encoded.ids()) {
            ids.add(tokenId);
        }
        return new Accepted(TokenizedReview.newBuilder()
                .setId(id)
                .setTokenIds(ids)
                .setLabel(((LabelPolicy.Label) decision).label())
                .setDomain(review.getDomain())
                .setEventTime(review.getEventTime())
                .setTokenizerId(tokenizer.id())
                .setTruncated(encoded.truncated())
                .build());
    }

    private static Outcome reject(DeadLetterReason reason, String detail, String id) {
        return new Rejected(new Rejection(reason, detail, id));
    }
}
