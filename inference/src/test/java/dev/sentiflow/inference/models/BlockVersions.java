package dev.sentiflow.inference.models;

import dev.sentiflow.inference.onnx.SessionThreads;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.onnx.ClassifierWeights;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;

/**
 * Served versions written from a DJL classifier's own weights (its head is version 0's), so tests and
 * benchmarks can hold what ONNX Runtime serves to that block's logits.
 */
public final class BlockVersions {

    private BlockVersions() {}

    public static ServedVersions of(SequenceClassifier block, ModelIdentity identity,
            BertOnnxGraph.Precision precision, SessionThreads threads) {
        return new ServedVersions(block.encoder().config(), ClassifierWeights.of(block), identity, precision, threads);
    }
}
