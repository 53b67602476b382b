package dev.sentiflow.model.bert;

import dev.sentiflow.modeldata.config.BertConfig;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One transformer layer, Hugging Face layout: {@code attention.self}, {@code attention.output},
 * {@code intermediate.dense} + erf GELU, {@code output}. Inputs: hidden [B,S,H], mask bias.
 */
public final class BertLayer extends HfBlock {

    private final BertSelfAttention attention;
    private final AddNorm attentionOutput;
    private final HfBlock intermediate;
    private final AddNorm output;

    public BertLayer(BertConfig config, Projections projections) {
        int h = config.hiddenSize();
        this.attention = child("attention.self", new BertSelfAttention(config, projections));
        this.attentionOutput = child("attention.output",
                new AddNorm(config, projections, "attention.output.dense", h));
        this.intermediate = child("intermediate.dense",
                projections.create("intermediate.dense", h, config.intermediateSize()));
        this.output = child("output",
                new AddNorm(config, projections, "output.dense", config.intermediateSize()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray maskBias = inputs.get(1);
        NDArray context = attention.forward(ps, new NDList(x, maskBias), training).singletonOrThrow();
        NDArray a = attentionOutput.forward(ps, new NDList(context, x), training).singletonOrThrow();
        NDArray i = Activation.gelu(intermediate.forward(ps, new NDList(a), training).singletonOrThrow());
        return output.forward(ps, new NDList(i, a), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
