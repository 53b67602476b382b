package dev.sentiflow.model.onnx;

import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.FloatTensor;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/** One batch through a written graph's session: ids, mask and the version's inputs in, logits out. */
final class OnnxLogits {

    private OnnxLogits() {
    }

    static float[] run(OrtSession session, BertOnnxGraph.Written graph, Map<String, FloatTensor> weights,
            long[] ids, long[] mask, int batch, int length) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put(BertOnnxGraph.INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, length}));
            in.put(BertOnnxGraph.ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask),
                    new long[] {batch, length}));
            for (var e : graph.versionInputs().entrySet()) {
                in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(weights.get(e.getKey()).data()),
                        e.getValue()));
            }
            try (OrtSession.Result r = session.run(in)) {
                FloatBuffer fb = ((OnnxTensor) r.get(BertOnnxGraph.LOGITS).orElseThrow()).getFloatBuffer();
                float[] logits = new float[fb.remaining()];
                fb.get(logits);
                return logits;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }
}
