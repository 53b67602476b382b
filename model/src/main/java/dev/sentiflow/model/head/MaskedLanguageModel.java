package dev.sentiflow.model.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.sentiflow.model.bert.BertEncoder;
import dev.sentiflow.model.bert.Dense;
import dev.sentiflow.model.bert.HfBlock;
import dev.sentiflow.model.bert.LayerNormHf;
import dev.sentiflow.modeldata.config.BertConfig;

/**
 * Hugging Face's BertForMaskedLM head on an encoder: {@code cls.predictions.transform.dense},
 * GELU, {@code cls.predictions.transform.LayerNorm}, then a decoder tied to the word embeddings
 * plus {@code cls.predictions.bias}. Built on an existing encoder it adapts that encoder in place,
 * so domain adaptation and fine-tuning can share one.
 *
 * <p>Forward: {@code NDList(inputIds, attentionMask)} to {@code NDList(logits float32 [B,S,V])}.
 */
public final class MaskedLanguageModel extends HfBlock {

    private final BertEncoder encoder;
    private final Dense transform;
    private final LayerNormHf norm;
    private final Parameter bias;

    public MaskedLanguageModel(BertEncoder encoder) {
        BertConfig c = encoder.config();
        this.encoder = child("", encoder);
        this.transform = child("cls.predictions.transform.dense", new Dense(c.hiddenSize(), c.hiddenSize()));
        this.norm = child("cls.predictions.transform.LayerNorm", new LayerNormHf(c.hiddenSize(), c.layerNormEps()));
        this.bias = param("cls.predictions.bias", Parameter.Type.BIAS, new Shape(c.vocabSize()));
    }

    public BertEncoder encoder() {
        return encoder;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray hidden = encoder.forward(ps, inputs, training).singletonOrThrow();
        NDArray t = Activation.gelu(transform.forward(ps, new NDList(hidden), training).singletonOrThrow());
        t = norm.forward(ps, new NDList(t), training).singletonOrThrow();
        NDArray words = ps.getValue(encoder.embeddings().wordEmbeddings().weight(), t.getDevice(), training);
        // linear(t, W, b) = t W^T + b with t first, so nothing per batch lands in the model's manager.
        return Linear.linear(t, words, ps.getValue(bias, t.getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(encoder.config().vocabSize())};
    }
}
