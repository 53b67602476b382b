package dev.sentiflow.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference scores through ONNX Runtime, so its runtime class path (and its image, built from the
 * same dependencies) carries neither libtorch, DJL's engine, nor the model module, as ingest's
 * carries none of them. The test's own class path is not that one (it holds the DJL model the tests
 * train checkpoints with), so the runtime one is read from the file Maven writes
 * ({@code target/runtime-classpath.txt}), checked, and then run: {@code predict} in a child JVM on
 * exactly that class path scores an adapter. DJL's API jar is there, under the tokenizer, as in ingest.
 */
class InferenceClassPathTest {

    private static List<String> runtimeClassPath() throws Exception {
        Path file = Path.of("target", "runtime-classpath.txt");
        assertTrue(Files.isRegularFile(file), "Maven writes " + file + " before the tests (mvn verify)");
        List<String> entries = new ArrayList<>(Arrays.asList(Files.readString(file).trim().split(File.pathSeparator)));
        entries.add(0, Path.of("target", "classes").toAbsolutePath().toString());
        return entries;
    }

    @Test
    void noPytorchNoDjlEngineNoModelModule() throws Exception {
        List<String> entries = runtimeClassPath();
        assertTrue(entries.stream().noneMatch(e -> e.contains("pytorch")), () -> "a PyTorch jar: " + entries);
        assertTrue(entries.stream().noneMatch(e -> e.contains("sentiflow-model-") || e.contains(
                File.separator + "model" + File.separator + "target")), () -> "the model module: " + entries);
        assertTrue(entries.stream().anyMatch(e -> e.contains("onnxruntime")), () -> "no ONNX Runtime: " + entries);
        assertTrue(entries.stream().anyMatch(e -> e.contains("modeldata")), () -> "no modeldata: " + entries);
    }

    @Test
    void predictScoresAnAdapterOnTheRuntimeClassPathAlone(@TempDir Path dir) throws Exception {
        Path checkpoint = dir.resolve("adapter.safetensors");
        try (TestModels models = TestModels.load(2)) {
            Files.write(checkpoint, models.adapter(7));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, runtimeClassPath()),
                "-Dai.djl.offline=true", PredictCommand.class.getName(), "--checkpoint", checkpoint.toString(),
                "--base", "minilm@2layers", "a wonderful film", "dull and far too long")
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "predict did not finish in 120 s: " + output);
        assertEquals(0, p.exitValue(), output);
        long lines = output.lines().filter(l -> l.matches("(negative|positive) \\d\\.\\d{4} .*")).count();
        assertEquals(2, lines, output);
        assertFalse(output.contains("PtEngine"), output);
    }
}
