package dev.sentiflow.modeldata.weights;

import dev.sentiflow.modeldata.weights.FloatTensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxBertWeightsTest {

    @Test
    void miniLmInitializersGetHuggingFaceNamesAndPyTorchLayout() {
        byte[] bytes = MiniLmImport.readResource();
        OnnxGraph graph = OnnxGraph.parse(bytes, MiniLmImport.ONNX_RESOURCE);
        Map<String, FloatTensor> mapped = OnnxBertWeights.map(graph, MiniLmImport.ONNX_RESOURCE);
        assertEquals(5 + 6 * 16, mapped.size());
        assertFalse(mapped.containsKey("embeddings.position_ids"));
        assertTrue(mapped.keySet().stream().noneMatch(n -> n.startsWith("onnx::")));
        assertArrayEquals(new long[] {1536, 384}, mapped.get("encoder.layer.5.intermediate.dense.weight").dims());
        assertArrayEquals(new long[] {384, 1536}, mapped.get("encoder.layer.5.output.dense.weight").dims());

        // The mapped weight is the transpose of the MatMul initializer the query bias follows.
        String anonymous = graph.nodes().stream()
                .filter(n -> n.opType().equals("Add") && n.inputs().contains("encoder.layer.0.attention.self.query.bias"))
                .map(add -> add.inputs().stream().filter(i -> !i.endsWith(".bias")).findFirst().orElseThrow())
                .flatMap(out -> graph.nodes().stream().filter(n -> n.outputs().contains(out)))
                .map(mm -> mm.inputs().get(1)).findFirst().orElseThrow();
        assertTrue(anonymous.startsWith("onnx::MatMul"), anonymous);
        FloatTensor raw = graph.initializers().get(anonymous);
        FloatTensor q = mapped.get("encoder.layer.0.attention.self.query.weight");
        int in = 384;
        for (int r : new int[] {0, 5, 383}) {
            for (int c : new int[] {0, 7, 383}) {
                assertEquals(raw.data()[c * in + r], q.data()[r * in + c], 0f, "q[" + r + "," + c + "]");
            }
        }
    }

    @Test
    void garbageIsReportedAsNotAnOnnxModel() {
        byte[] junk = Arrays.copyOf("this is not protobuf at all".getBytes(), 64);
        WeightFileException e = assertThrows(WeightFileException.class, () -> OnnxGraph.parse(junk, "junk.onnx"));
        assertTrue(e.getMessage().startsWith("junk.onnx: "), e.getMessage());
    }
}
