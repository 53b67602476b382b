package dev.sentiflow.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Layer normalisation over the last axis only, with {@code weight}/{@code bias} names.
 * (DJL's own LayerNorm block normalises over every axis but the batch by default.)
 */
public final class LayerNormHf extends HfBlock {

    private final Parameter weight;
    private final Parameter bias;
    private final Shape normalized;
    private final float eps;

    public LayerNormHf(int size, float eps) {
        this.normalized = new Shape(size);
        this.eps = eps;
        this.weight = param("weight", Parameter.Type.GAMMA, normalized);
        this.bias = param("bias", Parameter.Type.BETA, normalized);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return LayerNorm.layerNorm(x, normalized,
                ps.getValue(weight, x.getDevice(), training),
                ps.getValue(bias, x.getDevice(), training), eps);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
