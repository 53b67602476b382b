package dev.sentiflow.model.bert;

import dev.sentiflow.modeldata.config.BertConfig;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head scaled dot-product self-attention with separate query/key/value projections.
 * Inputs: {@code hidden [B,S,H]} and the additive mask {@code [B,1,1,S]} (0 or a large negative).
 */
public final class BertSelfAttention extends HfBlock {

    private final HfBlock query;
    private final HfBlock key;
    private final HfBlock value;
    private final int heads;
    private final int headSize;
    private final float dropout;

    public BertSelfAttention(BertConfig config, Projections projections) {
        int h = config.hiddenSize();
        this.query = child("query", projections.create("attention.self.query", h, h));
        this.key = child("key", projections.create("attention.self.key", h, h));
        this.value = child("value", projections.create("attention.self.value", h, h));
        this.heads = config.numHeads();
        this.headSize = config.headSize();
        this.dropout = config.attentionDropout();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray maskBias = inputs.get(1);
        long b = x.getShape().get(0);
        long s = x.getShape().get(1);
        NDArray q = split(query.forward(ps, new NDList(x), training).singletonOrThrow(), b, s);
        NDArray k = split(key.forward(ps, new NDList(x), training).singletonOrThrow(), b, s);
        NDArray v = split(value.forward(ps, new NDList(x), training).singletonOrThrow(), b, s);
        NDArray raw = q.matMul(k.transpose(0, 1, 3, 2));
        NDArray scores = raw.mul(Scalars.of(raw, (float) (1.0 / Math.sqrt(headSize)))).add(maskBias);
        NDArray probs = Dropout.dropout(scores.softmax(-1), dropout, training).singletonOrThrow();
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, s, (long) heads * headSize);
        return new NDList(context);
    }

    /** [B,S,H] to [B,heads,S,headSize]. */
    private NDArray split(NDArray t, long b, long s) {
        return t.reshape(b, s, heads, headSize).transpose(0, 2, 1, 3);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
