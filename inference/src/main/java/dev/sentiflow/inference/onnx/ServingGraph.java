package dev.sentiflow.inference.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sentiflow.modeldata.config.BertConfig;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.FloatTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A classifier's graph (written by {@link BertOnnxGraph} with ONNX Runtime's fused ops) open in an
 * ONNX Runtime session: the base weights are constants of the session, each version's adapters and
 * head are inputs fed with every batch. One serves every adapter version of a base; a full
 * fine-tune, whose base weights are its own, gets one of its own.
 */
public final class ServingGraph implements AutoCloseable {

    private final OrtSession session;
    private final Map<String, long[]> versionInputs;
    private final long modelBytes;

    private ServingGraph(OrtSession session, Map<String, long[]> versionInputs, long modelBytes) {
        this.session = session;
        this.versionInputs = versionInputs;
        this.modelBytes = modelBytes;
    }

    /**
     * Writes and opens the graph of these weights (every parameter by its Hugging Face name).
     *
     * @param precision of the base's linear weights (adapters and head are always fp32)
     * @param threads how a run uses threads
     */
    public static ServingGraph open(BertConfig config, Map<String, FloatTensor> weights, float loraScale,
            BertOnnxGraph.Precision precision, SessionThreads threads) {
        BertOnnxGraph.Written written = BertOnnxGraph.write(BertOnnxGraph.Ops.ONNX_RUNTIME, precision, config,
                weights, BertOnnxGraph.ADAPTERS_AND_HEAD, loraScale);
        try (OrtSession.SessionOptions options = sessionOptions(threads)) {
            OrtSession session = OrtEnvironment.getEnvironment().createSession(written.model(), options);
            return new ServingGraph(session, written.versionInputs(), written.model().length);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not open the serving graph (" + written.nodes()
                    + " nodes): " + e.getMessage(), e);
        }
    }

    /**
     * The options every serving session is opened with: all of ONNX Runtime's graph optimizations, and
     * {@code threads}. The caller closes them.
     */
    public static OrtSession.SessionOptions sessionOptions(SessionThreads threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (threads.intraOp() > 0) {
            options.setIntraOpNumThreads(threads.intraOp());
        }
        options.addConfigEntry("session.intra_op.allow_spinning", threads.spinWait() ? "1" : "0");
        return options;
    }

    /** The inputs a version feeds (adapters and head), with their dims. */
    public Map<String, long[]> versionInputs() {
        return versionInputs;
    }

    /** The subset of {@code weights} a version feeds to this graph. */
    public Map<String, FloatTensor> versionValues(Map<String, FloatTensor> weights) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        versionInputs.keySet().forEach(name -> out.put(name, weights.get(name)));
        return out;
    }

    public OrtSession session() {
        return session;
    }

    /** Size of the written model: about what the session holds of constant weights. */
    public long modelBytes() {
        return modelBytes;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("could not close an ONNX Runtime session", e);
        }
    }
}
