package dev.sentiflow.deploy.local;

import dev.sentiflow.trainer.split.EvalSplit;

/**
 * Fresh ids for the bundled reviews when the local stack sends them again, so every published
 * version still scores live traffic after the files are exhausted: pass 2 sends {@code ID#2},
 * pass 3 {@code ID#3}. The trainer splits training from evaluation by a hash of the id, so a fresh id
 * could move a text it trained on into its evaluation set and flatter every later round; where
 * {@code ID#P} would land on the other side of the split than {@code ID}, {@code ID#P.1},
 * {@code ID#P.2}, ... are tried until one lands on the same side. No text changes sides.
 */
final class RepeatIds {

    private final EvalSplit split;

    RepeatIds(EvalSplit split) {
        this.split = split;
    }

    /** The id of {@code id} in {@code pass} (1 is the original send). */
    String of(String id, long pass) {
        if (pass < 1) {
            throw new IllegalArgumentException("passes count from 1, got " + pass);
        }
        if (pass == 1) {
            return id;
        }
        boolean eval = split.isEval(id);
        String candidate = id + "#" + pass;
        // Each try lands on the wanted side with probability of at least the smaller share (1% at worst), so this ends.
        for (int attempt = 1; split.isEval(candidate) != eval; attempt++) {
            candidate = id + "#" + pass + "." + attempt;
        }
        return candidate;
    }
}
