package dev.sentiflow.model.bert;

import dev.sentiflow.modeldata.config.BertConfig;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The BERT encoder with Hugging Face parameter names ({@code embeddings.*},
 * {@code encoder.layer.N.*}); DistilBERT checkpoints load into it through a name mapping.
 *
 * <p>Forward: {@code NDList(inputIds int64 [B,S], attentionMask int64 [B,S] (1 = real token)
 * [, tokenTypeIds])} to {@code NDList(lastHiddenState float32 [B,S,H])}.
 */
public final class BertEncoder extends HfBlock {

    /** Added to the attention scores of padding keys; finite so that softmax never sees NaN. */
    private static final float MASKED = -1e9f;

    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final List<BertLayer> layers = new ArrayList<>();

    public BertEncoder(BertConfig config, Projections projections) {
        this.config = config;
        this.embeddings = child("embeddings", new BertEmbeddings(config));
        for (int i = 0; i < config.numLayers(); i++) {
            layers.add(child("encoder.layer." + i, new BertLayer(config, projections)));
        }
    }

    public BertEncoder(BertConfig config) {
        this(config, Projections.PLAIN);
    }

    public BertConfig config() {
        return config;
    }

    public BertEmbeddings embeddings() {
        return embeddings;
    }

    public List<BertLayer> layers() {
        return Collections.unmodifiableList(layers);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDList embeddingInputs = inputs.size() > 2 ? new NDList(ids, inputs.get(2)) : new NDList(ids);
        NDArray x = embeddings.forward(ps, embeddingInputs, training).singletonOrThrow();
        long b = mask.getShape().get(0);
        long s = mask.getShape().get(1);
        // [B,S] 1/0 to an additive [B,1,1,S] bias: 0 for real tokens, MASKED for padding.
        NDArray maskBias = mask.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED).reshape(b, 1, 1, s);
        for (BertLayer layer : layers) {
            x = layer.forward(ps, new NDList(x, maskBias), training).singletonOrThrow();
        }
        return new NDList(x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.hiddenSize())};
    }
}
