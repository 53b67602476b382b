package dev.sentiflow.model.head;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** A fixed padded batch of token ids for tests: 3 sequences, lengths 6, 4, 2. */
public final class TinyBatch {

    private TinyBatch() {}

    public static NDList of(NDManager m) {
        long[] ids = {
            101, 1996, 2833, 2001, 2307, 102,
            101, 6659, 999, 102, 0, 0,
            101, 102, 0, 0, 0, 0};
        long[] mask = {
            1, 1, 1, 1, 1, 1,
            1, 1, 1, 1, 0, 0,
            1, 1, 0, 0, 0, 0};
        return new NDList(m.create(ids, new Shape(3, 6)), m.create(mask, new Shape(3, 6)));
    }
}
