package dev.sentiflow.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A PyTorch-layout linear layer: {@code weight [out, in]}, optional {@code bias [out]}. */
public final class Dense extends HfBlock {

    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;

    public Dense(int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Parameter.Type.WEIGHT, new Shape(out, in));
        this.bias = withBias ? param("bias", Parameter.Type.BIAS, new Shape(out)) : null;
    }

    public Dense(int in, int out) {
        this(in, out, true);
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        if (bias == null) {
            return Linear.linear(x, w);
        }
        return Linear.linear(x, w, ps.getValue(bias, x.getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(out)};
    }
}
