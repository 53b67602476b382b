package dev.sentiflow.text.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides train or eval from a hash of the record id alone: SHA-256 of the UTF-8 id, first 8
 * bytes read as an unsigned fraction of 2^64, eval when below the eval fraction. A record
 * therefore lands on the same side in every run, on every machine, whatever else is in the
 * data, so a trainer never trains on its own evaluation set.
 */
public final class StableSplit {

    private final double evalFraction;

    public StableSplit(double evalFraction) {
        if (!(evalFraction > 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("eval fraction must be in (0, 1), got " + evalFraction);
        }
        this.evalFraction = evalFraction;
    }

    /** Position of the id in [0, 1), uniform over ids. */
    public static double bucket(String id) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
        long top = ByteBuffer.wrap(digest, 0, 8).getLong();
        // Unsigned 64-bit value → [0, 1): take the top 53 bits, exactly representable in a double.
        return (top >>> 11) * 0x1.0p-53;
    }

    public boolean isEval(String id) {
        return bucket(id) < evalFraction;
    }

    public Split apply(LabeledTextSet set) {
        List<LabeledText> train = new ArrayList<>();
        List<LabeledText> eval = new ArrayList<>();
        for (LabeledText example : set.examples()) {
            (isEval(example.id()) ? eval : train).add(example);
        }
        return new Split(new LabeledTextSet(train, set.labels()), new LabeledTextSet(eval, set.labels()));
    }

    /** The two sides of a split, sharing one label set. */
    public record Split(LabeledTextSet train, LabeledTextSet eval) {}
}
