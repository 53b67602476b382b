package dev.sentiflow.inference.models;

import dev.sentiflow.inference.onnx.OnnxVersion;
import dev.sentiflow.inference.onnx.ServingGraph;
import dev.sentiflow.inference.onnx.SessionThreads;
import dev.sentiflow.inference.onnx.VersionInputs;
import dev.sentiflow.modeldata.checkpoint.CheckpointException;
import dev.sentiflow.modeldata.checkpoint.CheckpointFile;
import dev.sentiflow.modeldata.checkpoint.CheckpointKind;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.config.BertConfig;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.FloatTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds {@link ServedVersion}s on one base: the base's graph is written once from the serving
 * weights and opened in ONNX Runtime, and every adapter version is its own inputs to that one
 * session. Runs on whichever thread loads models, never the scoring thread: decoding, checking and
 * copying a checkpoint take milliseconds to seconds, while the switch itself is one reference write.
 *
 * <p>What a checkpoint must look like (names and shapes) is the serving layout, which the trainer's
 * DJL model has too; {@link CheckpointFile#verify} holds checkpoints to it.
 */
public final class ServedVersions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServedVersions.class);

    private final BertConfig config;
    private final Map<String, FloatTensor> weights;
    private final Map<String, long[]> layout;
    private final ModelIdentity identity;
    private final float loraScale;
    private final BertOnnxGraph.Precision precision;
    private final SessionThreads threads;
    /** Opened when a version first needs it: a full fine-tune served alone (as {@code predict} does) never does. */
    private ServingGraph shared;
    /** The serving weights' values of the inputs a version feeds: a version that lacks one is served with these. */
    private Map<String, FloatTensor> initialValues;

    /**
     * @param config the base's shape
     * @param weights every parameter of the serving layout by canonical name: the base's, and a
     *     version 0 head and adapters ({@link ServingWeights}); only read
     * @param identity what every checkpoint must have been trained as
     * @param precision of the base's linear weights in every graph (adapters and heads stay fp32)
     * @param threads how each session's runs use threads
     */
    public ServedVersions(BertConfig config, Map<String, FloatTensor> weights, ModelIdentity identity,
            BertOnnxGraph.Precision precision, SessionThreads threads) {
        this.config = config;
        this.weights = weights;
        this.layout = dims(weights);
        this.identity = identity;
        this.loraScale = identity.lora().map(LoraConfig::scale).orElse(1f);
        this.precision = precision;
        this.threads = threads;
    }

    /**
     * Opens the session every adapter version of this base is inputs to, if not open yet; otherwise
     * that happens when a version first needs it.
     */
    public void openSharedSession() {
        shared();
    }

    private synchronized ServingGraph shared() {
        if (shared == null) {
            long begin = System.nanoTime();
            shared = ServingGraph.open(config, weights, loraScale, precision, threads);
            initialValues = shared.versionValues(weights);
            LOG.info("serving graph open in ONNX Runtime in {} ms: {} MB of {} base weights, {} inputs per version, {}",
                    (System.nanoTime() - begin) / 1_000_000, shared.modelBytes() >> 20,
                    precision.name().toLowerCase(java.util.Locale.ROOT), shared.versionInputs().size(),
                    threads.describe());
        }
        return shared;
    }

    public ModelIdentity identity() {
        return identity;
    }

    /** Whether the shared session is open: only once an adapter version, or version 0, was served. */
    public synchronized boolean sharedSessionOpen() {
        return shared != null;
    }

    /**
     * Decodes, verifies ({@link CheckpointFile#verify}: base, tokenizer, labels, max length, LoRA
     * shape, names, shapes) and stages a checkpoint. Throws {@link CheckpointException} naming the
     * problem; on any failure nothing stays allocated. An adapter becomes inputs of the shared graph;
     * a version that changes base weights (a full fine-tune) gets a graph of its own.
     */
    public ServedVersion fromCheckpoint(String name, long version, String sha256, byte[] bytes, String source) {
        return fromCheckpoint(name, version, sha256, CheckpointFile.decode(bytes, source), source);
    }

    /** As {@link #fromCheckpoint(String, long, String, byte[], String)}, for a checkpoint already decoded. */
    public ServedVersion fromCheckpoint(String name, long version, String sha256, CheckpointFile checkpoint,
            String source) {
        Map<String, FloatTensor> zeroLora = checkpoint.metadata().kind() == CheckpointKind.FULL
                ? missingLoraAsZeros(checkpoint) : Map.of();
        Map<String, long[]> dims = new LinkedHashMap<>();
        checkpoint.tensors().forEach((tensor, t) -> dims.put(tensor, t.dims()));
        zeroLora.forEach((tensor, t) -> dims.put(tensor, t.dims()));
        CheckpointFile.verify(checkpoint.metadata(), dims, layout, identity, source);
        Map<String, FloatTensor> own = new LinkedHashMap<>();
        checkpoint.tensors().forEach((tensor, t) -> own.put(tensor, t.toFloatTensor()));
        own.putAll(zeroLora);
        OnnxVersion onnx = adapterOnly(own.keySet()) ? onShared(own) : ownGraph(own);
        return new ServedVersion(name, version, sha256, checkpoint.metadata().labels(),
                checkpoint.metadata().tokenizerId(), onnx);
    }

    /** Version 0: the base with the serving weights' own (untrained) head, before any checkpoint exists. */
    public ServedVersion baseHead(String name) {
        return new ServedVersion(name, 0, "", identity.labels(), identity.tokenizerId(), onShared(Map.of()));
    }

    /** Whether a version with these tensors is inputs of the shared session: adapters and head only. */
    private static boolean adapterOnly(java.util.Set<String> tensors) {
        return tensors.stream().allMatch(BertOnnxGraph.ADAPTERS_AND_HEAD);
    }

    private OnnxVersion onShared(Map<String, FloatTensor> own) {
        ServingGraph graph = shared();
        Map<String, FloatTensor> values = new LinkedHashMap<>(initialValues);
        values.putAll(own);
        return new OnnxVersion(graph, VersionInputs.of(graph.versionInputs(), values), false);
    }

    private OnnxVersion ownGraph(Map<String, FloatTensor> own) {
        Map<String, FloatTensor> all = new LinkedHashMap<>(weights);
        all.putAll(own);
        ServingGraph graph = ServingGraph.open(config, all, loraScale, precision, threads);
        try {
            return new OnnxVersion(graph, VersionInputs.of(graph.versionInputs(), graph.versionValues(all)), true);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /**
     * A full checkpoint written by a model without LoRA layers has no A/B tensors, while the serving
     * layout has them. Zeros are exact there: the LoRA path adds {@code scale * (x A^T) B^T}, nothing
     * when B is zero.
     */
    private Map<String, FloatTensor> missingLoraAsZeros(CheckpointFile checkpoint) {
        Map<String, FloatTensor> zeros = new LinkedHashMap<>();
        layout.forEach((name, dims) -> {
            if (LoraConfig.isLoraParameter(name) && !checkpoint.tensors().containsKey(name)) {
                zeros.put(name, FloatTensor.zeros(dims));
            }
        });
        return zeros;
    }

    private static Map<String, long[]> dims(Map<String, FloatTensor> tensors) {
        Map<String, long[]> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name, t.dims()));
        return out;
    }

    @Override
    public synchronized void close() {
        if (shared != null) {
            shared.close();
        }
    }
}
