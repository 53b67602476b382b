package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code ./bench model --quick} as CI runs it: every row of the benchmark executes on the real model
 * and ONNX Runtime and yields a number. Nothing here is about speed (a shared machine's timings are
 * noise); a row that throws, or yields no positive finite figure, fails.
 */
class ModelBenchmarkQuickIT {

    @Test
    void everyRowRunsAndYieldsANumber() throws Exception {
        List<ModelBenchmark.Row> rows = new ModelBenchmark(true, java.util.Set.of()).run(Path.of("../data/finefoods_train.csv"));
        Map<String, Long> perSection = rows.stream().collect(Collectors.groupingBy(ModelBenchmark.Row::section,
                Collectors.counting()));
        // limit: three shapes (libtorch and ONNX Runtime each) and the peak over them
        assertEquals(Map.of("limit", 4L, "inference", 5L, "scaling", 5L, "training", 2L), perSection);
        for (ModelBenchmark.Row r : rows) {
            if (r.section().equals("limit")) {
                assertTrue(r.note().matches("(libtorch [1-9]\\d* GFLOP/s, ONNX Runtime [1-9]\\d* GFLOP/s|[1-9]\\d* GFLOP/s)"),
                        r.toString());
                continue;
            }
            assertTrue(Double.isFinite(r.samplesPerSecond()) && r.samplesPerSecond() > 0, r.toString());
            assertTrue(Double.isFinite(r.mfu()) && r.mfu() > 0, r.toString());
            if (r.section().equals("inference") || r.section().equals("scaling")) {
                assertTrue(Double.isFinite(r.ortSamplesPerSecond()) && r.ortSamplesPerSecond() > 0, r.toString());
            }
        }
    }
}
