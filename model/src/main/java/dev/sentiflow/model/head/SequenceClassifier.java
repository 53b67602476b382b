package dev.sentiflow.model.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.sentiflow.model.bert.BertEncoder;
import dev.sentiflow.model.bert.Dense;
import dev.sentiflow.model.bert.HfBlock;

/**
 * Hugging Face's BertForSequenceClassification: [CLS] hidden state, {@code pooler.dense} + tanh,
 * dropout, {@code classifier}. The encoder's names carry no {@code bert.} prefix.
 *
 * <p>Forward: {@code NDList(inputIds int64 [B,S], attentionMask int64 [B,S])} to
 * {@code NDList(logits float32 [B,C])}.
 */
public final class SequenceClassifier extends HfBlock {

    private static final NDIndex CLS = new NDIndex(":, 0, :");

    private final BertEncoder encoder;
    private final Dense pooler;
    private final Dense classifier;
    private final int numLabels;
    private final float dropout;

    public SequenceClassifier(BertEncoder encoder, int numLabels) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 labels, got " + numLabels);
        }
        int h = encoder.config().hiddenSize();
        this.encoder = child("", encoder);
        this.pooler = child("pooler.dense", new Dense(h, h));
        this.classifier = child("classifier", new Dense(h, numLabels));
        this.numLabels = numLabels;
        this.dropout = encoder.config().hiddenDropout();
    }

    public BertEncoder encoder() {
        return encoder;
    }

    public int numLabels() {
        return numLabels;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray hidden = encoder.forward(ps, inputs, training).singletonOrThrow();
        NDArray pooled = pooler.forward(ps, new NDList(hidden.get(CLS)), training).singletonOrThrow().tanh();
        pooled = Dropout.dropout(pooled, dropout, training).singletonOrThrow();
        return classifier.forward(ps, new NDList(pooled), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), numLabels)};
    }
}
