package dev.sentiflow.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code predict} on a real checkpoint of a one-layer MiniLM: labels and probabilities per text. */
class PredictCommandTest {

    private static TestModels models;

    @BeforeAll
    static void load() {
        models = TestModels.load(1);
    }

    @AfterAll
    static void close() {
        models.close();
    }

    private record Run(int status, String out, String err) {}

    private static Run run(String stdin, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new PredictCommand(new PrintStream(out, true, StandardCharsets.UTF_8)).execute(args,
                new PrintStream(err, true, StandardCharsets.UTF_8), new BufferedReader(new StringReader(stdin)));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void scoresArgumentsAndStdinWithProbabilitiesThatSumToOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("adapter.safetensors");
        Files.write(file, models.adapter(3));
        Run fromArgs = run("", "--checkpoint", file.toString(), "--base", "minilm@1layers", "great food", "awful service");
        assertEquals(0, fromArgs.status(), fromArgs.err());
        List<String> lines = fromArgs.out().lines().toList();
        assertEquals(2, lines.size(), fromArgs.out());
        for (String line : lines) {
            // e.g. "positive 0.5123  (negative 0.4877, positive 0.5123)  great food"
            var m = java.util.regex.Pattern.compile("(\\w+) ([0-9.]+)  \\(negative ([0-9.]+), positive ([0-9.]+)\\)  .+")
                    .matcher(line);
            assertTrue(m.matches(), line);
            double neg = Double.parseDouble(m.group(3));
            double pos = Double.parseDouble(m.group(4));
            assertEquals(1.0, neg + pos, 2e-4, line);
            assertEquals(pos >= neg ? "positive" : "negative", m.group(1), line);
        }
        Run fromStdin = run("great food\n\nawful service\n", "--checkpoint", file.toString(), "--base", "minilm@1layers");
        assertEquals(fromArgs.out(), fromStdin.out(), "stdin gives the same, blank lines skipped");
        // int8 base weights: the same labels here, probabilities close but not identical
        Run int8 = run("", "--checkpoint", file.toString(), "--base", "minilm@1layers", "--precision", "int8",
                "great food", "awful service");
        assertEquals(0, int8.status(), int8.err());
        List<String> quantized = int8.out().lines().toList();
        for (int i = 0; i < 2; i++) {
            assertEquals(lines.get(i).split(" ")[0], quantized.get(i).split(" ")[0], quantized.get(i));
        }
        assertTrue(!int8.out().equals(fromArgs.out()), "int8 printed exactly the fp32 probabilities");
    }

    @Test
    void refusesACheckpointOfAnotherBaseAndBadArguments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("adapter.safetensors");
        Files.write(file, models.adapter(3));
        Run wrongBase = run("", "--checkpoint", file.toString(), "--base", "minilm@2layers", "x");
        assertEquals(1, wrongBase.status());
        assertTrue(wrongBase.err().contains("trained on base"), wrongBase.err());
        assertEquals(2, run("", "--checkpoint").status());
        assertEquals(2, run("", "--frobnicate", "x").status());
        assertEquals(2, run("", "text only").status());
        Run badPrecision = run("", "--checkpoint", file.toString(), "--precision", "int4", "x");
        assertEquals(2, badPrecision.status());
        assertTrue(badPrecision.err().contains("--precision must be fp32 or int8, got 'int4'"), badPrecision.err());
        Run missing = run("", "--checkpoint", dir.resolve("nope").toString(), "x");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("no checkpoint file"), missing.err());
    }
}
