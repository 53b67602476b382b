package dev.sentiflow.model.bert;

import dev.sentiflow.modeldata.config.BertConfig;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** word + position (+ token type) embeddings, then LayerNorm and dropout. */
public final class BertEmbeddings extends HfBlock {

    private final EmbeddingTable words;
    private final EmbeddingTable positions;
    private final EmbeddingTable tokenTypes;
    private final LayerNormHf norm;
    private final BertConfig config;

    public BertEmbeddings(BertConfig config) {
        this.config = config;
        int h = config.hiddenSize();
        this.words = child("word_embeddings", new EmbeddingTable(config.vocabSize(), h));
        this.positions = child("position_embeddings", new EmbeddingTable(config.maxPositions(), h));
        this.tokenTypes = config.typeVocabSize() > 0
                ? child("token_type_embeddings", new EmbeddingTable(config.typeVocabSize(), h))
                : null;
        this.norm = child("LayerNorm", new LayerNormHf(h, config.layerNormEps()));
    }

    public EmbeddingTable wordEmbeddings() {
        return words;
    }

    /**
     * @param inputs {@code inputIds [B,S]} and optionally {@code tokenTypeIds [B,S]} (zeros if absent)
     */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        long seq = ids.getShape().get(1);
        if (seq > config.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + seq
                    + " exceeds the model's " + config.maxPositions() + " positions");
        }
        NDManager m = ids.getManager();
        NDArray x = words.forward(ps, new NDList(ids), training).singletonOrThrow();
        NDArray positionIds = m.arange(0, (int) seq, 1, DataType.INT64, ids.getDevice()).expandDims(0);
        x = x.add(positions.forward(ps, new NDList(positionIds), training).singletonOrThrow());
        if (tokenTypes != null) {
            NDArray types = inputs.size() > 1 ? inputs.get(1) : m.zeros(ids.getShape(), DataType.INT64, ids.getDevice());
            x = x.add(tokenTypes.forward(ps, new NDList(types), training).singletonOrThrow());
        }
        x = norm.forward(ps, new NDList(x), training).singletonOrThrow();
        return Dropout.dropout(x, config.hiddenDropout(), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.hiddenSize())};
    }
}
