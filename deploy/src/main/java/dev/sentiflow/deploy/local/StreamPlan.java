package dev.sentiflow.deploy.local;

import dev.sentiflow.text.data.StableSplit;

/**
 * Which bundled rows the local stack streams, and with or without their label. Both choices hash
 * stable properties of the row, so every run streams the same reviews the same way.
 *
 * <ul>
 *   <li>Held out: the data set's fixed test share ({@link BundledData#heldOutShare()}), by
 *       {@link StableSplit} on the text; never streamed, so no service ever trains on it.</li>
 *   <li>Labeled: {@code labeledShare} of the rest keep their label, by a hash of the id salted so it
 *       is independent of the trainer's own evaluation split (which hashes the bare id); the others
 *       are sent unlabeled, to be scored but not trained on.</li>
 * </ul>
 */
public final class StreamPlan {

    /** What happens to one row. */
    public enum Fate { HELD_OUT, LABELED, UNLABELED }

    private final double labeledShare;

    public StreamPlan(double labeledShare) {
        if (!(labeledShare >= 0 && labeledShare <= 1)) {
            throw new IllegalArgumentException("labeled share must be in [0, 1], got " + labeledShare);
        }
        this.labeledShare = labeledShare;
    }

    public Fate fate(BundledData data, String id, String text) {
        if (data.heldOutShare().map(share -> new StableSplit(share).isEval(text)).orElse(false)) {
            return Fate.HELD_OUT;
        }
        return StableSplit.bucket("labeled:" + id) < labeledShare ? Fate.LABELED : Fate.UNLABELED;
    }
}
