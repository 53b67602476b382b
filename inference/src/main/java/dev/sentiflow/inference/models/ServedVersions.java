package dev.sentiflow.inference.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sentiflow.inference.onnx.OnnxVersion;
import dev.sentiflow.inference.onnx.ServingGraph;
import dev.sentiflow.inference.onnx.VersionInputs;
import dev.sentiflow.model.checkpoint.Checkpoint;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.checkpoint.CheckpointException;
import dev.sentiflow.model.checkpoint.CheckpointKind;
import dev.sentiflow.model.checkpoint.ModelIdentity;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.lora.LoraConfig;
import dev.sentiflow.model.lora.LoraModules;
import dev.sentiflow.model.onnx.BertOnnxGraph;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds {@link ServedVersion}s on one base: the base's graph is written once from the serving block
 * and opened in ONNX Runtime, and every adapter version is its own inputs to that one session. Runs
 * on whichever thread loads models, never the scoring thread: decoding, checking and copying a
 * checkpoint take milliseconds to seconds, while the switch itself is one reference write.
 *
 * <p>The DJL block stays the reference for what a checkpoint must look like (names and shapes,
 * {@link CheckpointCodec#verify}); nothing scores on it.
 */
public final class ServedVersions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServedVersions.class);

    private final SequenceClassifier block;
    private final NDManager blockManager;
    private final ModelIdentity identity;
    private final float loraScale;
    private final BertOnnxGraph.Precision precision;
    private final int intraOpThreads;
    private final ServingGraph shared;
    /** The block's own values of the inputs a version feeds: a version that lacks one is served with these. */
    private final Map<String, BertOnnxGraph.Tensor> blockValues;

    /**
     * @param block the serving block (built with the serving LoRA config on the base); only read
     * @param blockManager the block's manager; checkpoints are decoded in sub-managers of it
     * @param identity what every checkpoint must have been trained as
     * @param precision of the base's linear weights in every graph (adapters and heads stay fp32)
     * @param intraOpThreads threads one batch may use; 0 for ONNX Runtime's default
     */
    public ServedVersions(SequenceClassifier block, NDManager blockManager, ModelIdentity identity,
            BertOnnxGraph.Precision precision, int intraOpThreads) {
        this.block = block;
        this.blockManager = blockManager;
        this.identity = identity;
        this.loraScale = identity.lora().map(LoraConfig::scale).orElse(1f);
        this.precision = precision;
        this.intraOpThreads = intraOpThreads;
        long begin = System.nanoTime();
        Map<String, BertOnnxGraph.Tensor> weights = BertOnnxGraph.weights(block);
        this.shared = ServingGraph.open(block.encoder().config(), weights, loraScale, precision, intraOpThreads);
        this.blockValues = shared.versionValues(weights);
        LOG.info("serving graph open in ONNX Runtime in {} ms: {} MB of {} base weights, {} inputs per version, {} "
                + "intra-op thread(s)", (System.nanoTime() - begin) / 1_000_000, shared.modelBytes() >> 20,
                precision.name().toLowerCase(java.util.Locale.ROOT), shared.versionInputs().size(),
                intraOpThreads == 0 ? "default" : intraOpThreads);
    }

    public ModelIdentity identity() {
        return identity;
    }

    /**
     * Decodes, verifies ({@link CheckpointCodec#verify}: base, tokenizer, labels, max length, LoRA
     * shape, names, shapes) and stages a checkpoint. Throws {@link CheckpointException} naming the
     * problem; on any failure nothing stays allocated. An adapter becomes inputs of the shared graph;
     * a version that changes base weights (a full fine-tune) gets a graph of its own.
     */
    public ServedVersion fromCheckpoint(String name, long version, String sha256, byte[] bytes, String source) {
        try (NDManager decoded = blockManager.newSubManager()) {
            Checkpoint checkpoint = withZeroLora(CheckpointCodec.decode(decoded, bytes, source), decoded);
            CheckpointCodec.verify(checkpoint, block, identity, source);
            Map<String, BertOnnxGraph.Tensor> own = new LinkedHashMap<>();
            checkpoint.tensors().forEach((tensor, array) -> own.put(tensor, floats(array)));
            OnnxVersion onnx = shared.versionInputs().keySet().containsAll(own.keySet())
                    ? onShared(own) : ownGraph(own);
            return new ServedVersion(name, version, sha256, checkpoint.metadata().labels(),
                    checkpoint.metadata().tokenizerId(), onnx);
        }
    }

    /** Version 0: the base with the block's own (untrained) head, for serving before any checkpoint exists. */
    public ServedVersion baseHead(String name) {
        return new ServedVersion(name, 0, "", identity.labels(), identity.tokenizerId(), onShared(Map.of()));
    }

    private OnnxVersion onShared(Map<String, BertOnnxGraph.Tensor> own) {
        Map<String, BertOnnxGraph.Tensor> values = new LinkedHashMap<>(blockValues);
        values.putAll(own);
        return new OnnxVersion(shared, VersionInputs.of(shared.versionInputs(), values), false);
    }

    private OnnxVersion ownGraph(Map<String, BertOnnxGraph.Tensor> own) {
        Map<String, BertOnnxGraph.Tensor> weights = BertOnnxGraph.weights(block);
        weights.putAll(own);
        ServingGraph graph = ServingGraph.open(block.encoder().config(), weights, loraScale, precision, intraOpThreads);
        try {
            return new OnnxVersion(graph, VersionInputs.of(graph.versionInputs(), graph.versionValues(weights)), true);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /**
     * A full checkpoint written by a model without LoRA layers has no A/B tensors, while the serving
     * block has them. Zeros are exact there: the LoRA path adds {@code scale * (x A^T) B^T}, nothing
     * when B is zero. Returns the checkpoint with zero A/B added for every LoRA parameter it lacks;
     * any other checkpoint unchanged.
     */
    private Checkpoint withZeroLora(Checkpoint checkpoint, NDManager manager) {
        if (checkpoint.metadata().kind() != CheckpointKind.FULL) {
            return checkpoint;
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>(checkpoint.tensors());
        block.namedParameters().forEach((name, p) -> {
            if (LoraModules.isLoraParameter(name) && !tensors.containsKey(name)) {
                Shape shape = p.getShape() != null ? p.getShape() : p.getArray().getShape();
                tensors.put(name, manager.zeros(shape, p.getArray().getDataType()));
            }
        });
        return new Checkpoint(checkpoint.metadata(), tensors);
    }

    private static BertOnnxGraph.Tensor floats(NDArray array) {
        NDArray f32 = array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
        return new BertOnnxGraph.Tensor(f32.getShape().getShape(), f32.toFloatArray());
    }

    @Override
    public void close() {
        shared.close();
    }
}
