package dev.sentiflow.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A lookup table {@code weight [rows, dim]}: int64 ids of any shape in, vectors out. */
public final class EmbeddingTable extends HfBlock {

    private final Parameter weight;

    public EmbeddingTable(int rows, int dim) {
        this.weight = param("weight", Parameter.Type.WEIGHT, new Shape(rows, dim));
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow();
        // ids first: the result belongs to the per-batch manager, not the model's.
        return Embedding.embedding(ids, ps.getValue(weight, ids.getDevice(), training), SparseFormat.DENSE);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(weight.getShape().get(1))};
    }
}
