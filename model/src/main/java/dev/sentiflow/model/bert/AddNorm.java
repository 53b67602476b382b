package dev.sentiflow.model.bert;

import dev.sentiflow.modeldata.config.BertConfig;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * BERT's post-norm residual: {@code LayerNorm(dropout(dense(x)) + residual)}. It is both
 * {@code attention.output} and {@code output} of a layer. Inputs: {@code x}, {@code residual}.
 */
public final class AddNorm extends HfBlock {

    private final HfBlock dense;
    private final LayerNormHf norm;
    private final float dropout;

    /** @param denseName the projection's name within its layer, for LoRA targeting */
    public AddNorm(BertConfig config, Projections projections, String denseName, int in) {
        this.dense = child("dense", projections.create(denseName, in, config.hiddenSize()));
        this.norm = child("LayerNorm", new LayerNormHf(config.hiddenSize(), config.layerNormEps()));
        this.dropout = config.hiddenDropout();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray y = dense.forward(ps, new NDList(inputs.get(0)), training).singletonOrThrow();
        y = Dropout.dropout(y, dropout, training).singletonOrThrow().add(inputs.get(1));
        return norm.forward(ps, new NDList(y), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[1]};
    }
}
