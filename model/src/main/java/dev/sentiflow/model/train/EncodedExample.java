package dev.sentiflow.model.train;

/**
 * A tokenized example: token ids ([CLS] … [SEP], unpadded) and its class index.
 *
 * @param tokenIds token ids without padding
 * @param label class index, or -1 for unlabeled text (MLM)
 */
public record EncodedExample(int[] tokenIds, int label) {

    public EncodedExample {
        if (tokenIds.length == 0) {
            throw new IllegalArgumentException("an example needs at least one token");
        }
    }

    public int length() {
        return tokenIds.length;
    }
}
