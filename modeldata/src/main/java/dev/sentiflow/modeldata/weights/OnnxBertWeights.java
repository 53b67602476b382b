package dev.sentiflow.modeldata.weights;

import dev.sentiflow.modeldata.weights.OnnxGraph.Node;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps the initializers of a BERT exported to ONNX by PyTorch onto Hugging Face names.
 *
 * <p>Embeddings, biases and LayerNorms keep their names in the export, but each linear weight
 * becomes an anonymous {@code onnx::MatMul_NNN} stored {@code [in, out]}. It is named after the
 * bias added to the MatMul's output ({@code ...query.bias} gives {@code ...query.weight}) and
 * transposed to PyTorch's {@code [out, in]}.
 */
public final class OnnxBertWeights {

    /** Buffers in the export that are not weights. */
    private static final Set<String> DROPPED = Set.of("embeddings.position_ids");

    private OnnxBertWeights() {}

    /** Returns Hugging Face name to tensor, in the file's order. */
    public static Map<String, FloatTensor> map(OnnxGraph graph, String source) {
        Map<String, FloatTensor> init = graph.initializers();
        Map<String, Node> addByInput = new HashMap<>();
        for (Node n : graph.nodes()) {
            if (n.opType().equals("Add")) {
                n.inputs().forEach(i -> addByInput.put(i, n));
            }
        }
        Map<String, String> matMulName = new HashMap<>();
        for (Node n : graph.nodes()) {
            if (!n.opType().equals("MatMul") || n.inputs().size() != 2 || !init.containsKey(n.inputs().get(1))) {
                continue;
            }
            String weight = n.inputs().get(1);
            Node add = addByInput.get(n.outputs().get(0));
            String bias = add == null ? null : otherInput(add, n.outputs().get(0));
            if (bias == null || !bias.endsWith(".bias") || !init.containsKey(bias)) {
                throw new WeightFileException(source, "MatMul weight " + weight
                        + " is not followed by a named bias Add; cannot name it");
            }
            matMulName.put(weight, bias.substring(0, bias.length() - ".bias".length()) + ".weight");
        }
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, FloatTensor> e : init.entrySet()) {
            String name = e.getKey();
            if (DROPPED.contains(name)) {
                continue;
            }
            String mapped = matMulName.get(name);
            if (mapped != null) {
                if (e.getValue().dims().length != 2) {
                    throw new WeightFileException(source, "MatMul weight " + name + " is not 2-D");
                }
                out.put(mapped, Transpose.of(e.getValue()));
            } else if (name.startsWith("onnx::") || name.startsWith("/")) {
                throw new WeightFileException(source, "unnamed initializer " + name
                        + " is not a linear weight; the export has a layout this importer does not know");
            } else {
                out.put(name, e.getValue());
            }
        }
        return out;
    }

    private static String otherInput(Node add, String input) {
        List<String> in = add.inputs();
        if (in.size() != 2) {
            return null;
        }
        return in.get(0).equals(input) ? in.get(1) : in.get(0);
    }
}
