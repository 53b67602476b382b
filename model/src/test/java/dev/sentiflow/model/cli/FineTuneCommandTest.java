package dev.sentiflow.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentiflow.model.checkpoint.Checkpoint;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.modeldata.checkpoint.CheckpointKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTuneCommandTest {

    @TempDir
    Path dir;

    /** What one run of the command printed and returned. */
    private record Run(int status, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private static Run run(String... args) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new FineTuneCommand(new PrintStream(console, true, StandardCharsets.UTF_8))
                .execute(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = console.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        return new Run(status, text, err.toString(StandardCharsets.UTF_8));
    }

    /** The 96-sentence UCI sample, copied where the command can read it. */
    private Path sample(String name) throws IOException {
        Path data = dir.resolve(name);
        try (InputStream in = FineTuneCommandTest.class.getResourceAsStream("/dev/sentiflow/model/train/uci_sample.csv")) {
            Files.copy(in, data);
        }
        return data;
    }

    @Test
    void badArgumentsExitWithTwoAndPrintUsage() {
        Run run = run("--train", "nope.csv", "--eval", "nope.csv");
        assertEquals(2, run.status());
        String message = run.err();
        assertTrue(message.startsWith("fine-tune: option --train: no such file 'nope.csv'"), message);
        assertTrue(message.contains("usage: fine-tune"), message);
    }

    @Test
    void helpPrintsEveryOptionAndExitsWithZero() {
        Run run = run("--help");
        assertEquals(0, run.status());
        assertTrue(run.out().contains("--mlm-epochs") && run.out().contains("--eval-fraction"), run.out());
    }

    @Test
    void unknownLabelInEvalFileExitsWithOneAndNamesTheLine() throws Exception {
        Path train = Files.writeString(dir.resolve("t.csv"), "text,label\ngood,1\nbad,0\n");
        Path eval = Files.writeString(dir.resolve("e.csv"), "text,label\nfine,1\nmeh,2\n");
        Run run = run("--train", train.toString(), "--eval", eval.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().contains("e.csv:3: unknown label '2'"), run.err());
    }

    @Test
    void loraRunWritesChartMetricsCheckpointAndPeftAdapter() throws Exception {
        Path data = sample("uci.csv");
        Path out = dir.resolve("run");
        Run run = run("--train", data.toString(), "--eval-fraction", "0.25", "--epochs", "1", "--batch-size", "8",
            "--max-length", "24", "--out", out.toString());
        String text = run.out();
        assertEquals(0, run.status(), run.all());
        assertTrue(text.contains("trainable params: 222,338 || all params: 22,787,714"), text);
        assertTrue(text.contains("epoch 1/1: train loss"), text);
        assertTrue(text.contains("confusion matrix"), text);

        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(1, metrics.get("epochs").size());
        int evalExamples = metrics.get("evalExamples").asInt();
        assertEquals(96, evalExamples + metrics.get("trainExamples").asInt());
        JsonNode confusion = metrics.get("epochs").get(0).get("confusion");
        int counted = 0;
        for (JsonNode row : confusion) {
            for (JsonNode c : row) {
                counted += c.asInt();
            }
        }
        assertEquals(evalExamples, counted);
        assertEquals(metrics.get("trainExamples").asInt() / 8 + (metrics.get("trainExamples").asInt() % 8 == 0 ? 0 : 1),
                metrics.get("stepLosses").size());
        assertTrue(Files.readString(out.resolve("loss-curve.svg")).startsWith("<svg"));
        assertTrue(Files.exists(out.resolve("peft/adapter_config.json")));
        assertTrue(Files.exists(out.resolve("peft/adapter_model.safetensors")));
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoint checkpoint = CheckpointCodec.decode(manager, Files.readAllBytes(out.resolve("adapter.safetensors")), "adapter");
            assertEquals(CheckpointKind.ADAPTER, checkpoint.metadata().kind());
            assertEquals(java.util.List.of("0", "1"), checkpoint.metadata().labels());
            assertTrue(checkpoint.tensors().containsKey("classifier.weight"));
            assertTrue(checkpoint.tensors().containsKey("encoder.layer.0.attention.self.query.lora_A.weight"));
        }
    }

    @Test
    void domainAdaptationRunsBeforeTheTaskAndLowersHeldOutMaskedLoss() throws Exception {
        Run run = run("--train", sample("uci-mlm.csv").toString(), "--eval-fraction", "0.25", "--epochs", "1",
            "--batch-size", "8", "--max-length", "24", "--mlm-epochs", "2", "--out", dir.resolve("run-mlm").toString());
        String text = run.out();
        assertEquals(0, run.status(), run.all());
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("domain adaptation \\(MLM, 2 epochs\\): held-out masked-token loss ([0-9.]+) -> ([0-9.]+)")
                .matcher(text);
        assertTrue(m.find(), text);
        double before = Double.parseDouble(m.group(1));
        double after = Double.parseDouble(m.group(2));
        assertTrue(after < before, "held-out MLM loss " + before + " -> " + after);
        assertTrue(text.indexOf("domain adaptation") < text.indexOf("epoch 1/1: train loss"), "adaptation comes first");
        // Still an adapter of the unchanged base: LoRA only, no MLM head in the checkpoint.
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            var checkpoint = dev.sentiflow.model.checkpoint.CheckpointCodec.decode(manager,
                    Files.readAllBytes(dir.resolve("run-mlm/adapter.safetensors")), "adapter");
            assertTrue(checkpoint.tensors().keySet().stream().noneMatch(n -> n.startsWith("cls.")),
                    checkpoint.tensors().keySet()::toString);
        }
    }

    @Test
    void fullRunWritesAHuggingFaceDirectory() throws Exception {
        Path out = dir.resolve("run-full");
        Run run = run("--train", sample("uci-full.csv").toString(), "--eval-fraction", "0.25", "--epochs", "1",
            "--batch-size", "8", "--max-length", "16", "--mode", "full", "--out", out.toString());
        assertEquals(0, run.status(), run.all());
        assertTrue(Files.exists(out.resolve("model.safetensors")));
        var config = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("hf/config.json").toFile());
        assertEquals(384, config.get("hidden_size").asInt(), config.toString());
        assertTrue(Files.size(out.resolve("hf/model.safetensors")) > 80_000_000L);
        assertTrue(Files.exists(out.resolve("hf/tokenizer.json")));
    }
}
