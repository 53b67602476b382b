package dev.sentiflow.text.tokenizer;

import java.util.List;
import java.util.Optional;

/**
 * What token ids a model can take: a sequence no longer than its {@code max.length}, every id inside
 * its vocabulary. Records tokenized elsewhere (ingest with another {@code tokenizer.max.length}, a
 * producer of its own) can break either, and a model fed one fails its whole batch, again on every
 * retry; the services check each record here first and refuse it with the reason.
 */
public record TokenLimits(int vocabSize, int maxLength) {

    public TokenLimits {
        if (vocabSize < 1 || maxLength < 1) {
            throw new IllegalArgumentException("vocabSize and maxLength must be positive: " + vocabSize + ", "
                    + maxLength);
        }
    }

    /** Why these ids do not fit the model, or empty when they do. */
    public Optional<String> problem(List<Integer> ids) {
        if (ids.size() > maxLength) {
            return Optional.of("has " + ids.size() + " tokens but the model takes at most " + maxLength
                    + " (max.length); tokenize with tokenizer.max.length <= " + maxLength);
        }
        for (Integer id : ids) {
            if (id == null || id < 0 || id >= vocabSize) {
                return Optional.of("token id " + id + " is outside the model's vocabulary of " + vocabSize);
            }
        }
        return Optional.empty();
    }
}
