package dev.sentiflow.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.model.train.TrainingMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTuneOptionsTest {

    @TempDir
    Path dir;

    private String train;
    private String eval;

    @BeforeEach
    void files() throws IOException {
        train = Files.writeString(dir.resolve("train.csv"), "text,label\na,0\nb,1\n").toString();
        eval = Files.writeString(dir.resolve("eval.csv"), "text,label\nc,0\n").toString();
    }

    @Test
    void defaultsAreTheLoraRecipe() throws Exception {
        FineTuneOptions o = FineTuneOptions.parse("--train", train, "--eval", eval);
        assertEquals(TrainingMode.LORA, o.training().mode());
        assertEquals(5e-4, o.training().learningRate());
        assertEquals("minilm", o.base());
        assertEquals("text", o.textColumn());
        assertEquals(Path.of("runs/fine-tune"), o.out());
    }

    @Test
    void parsesEveryOption() throws Exception {
        FineTuneOptions o = FineTuneOptions.parse("--train", train, "--eval-fraction=0.25", "--text-column", "review",
                "--label-column", "stars", "--labels", "neg, pos", "--mode", "full", "--base", "bert-base", "--epochs", "2",
                "--lr", "3e-5", "--batch-size", "8", "--max-length", "64", "--limit", "100", "--seed", "7", "--out", "x",
                "--patience", "1", "--grad-accum", "2");
        assertEquals(0.25, o.evalFraction().getAsDouble());
        assertEquals("review", o.textColumn());
        assertEquals(List.of("neg", "pos"), o.labels().orElseThrow());
        assertEquals(TrainingMode.FULL, o.training().mode());
        assertEquals(3e-5, o.training().learningRate());
        assertEquals(2, o.training().epochs());
        assertEquals(8, o.training().batchSize());
        assertEquals(64, o.training().maxLength());
        assertEquals(100, o.limit().getAsLong());
        assertEquals(7, o.training().seed());
        assertEquals(1, o.training().earlyStoppingPatience());
        assertEquals(2, o.training().gradientAccumulation());
        assertEquals(2e-5, FineTuneOptions.parse("--train", train, "--eval", eval, "--mode", "full").training().learningRate());
    }

    @Test
    void badArgumentsNameTheOption() {
        assertMessage("unknown option '--epoch'", "--train", train, "--eval", eval, "--epoch", "3");
        assertMessage("--batch-size needs a whole number, got 'many'", "--train", train, "--eval", eval, "--batch-size", "many");
        assertMessage("batchSize=0", "--train", train, "--eval", eval, "--batch-size", "0");
        assertMessage("--mode", "--train", train, "--eval", eval, "--mode", "qlora");
        assertMessage("--train is required", "--eval", eval);
        assertMessage("no such file", "--train", dir.resolve("missing.csv").toString(), "--eval", eval);
        assertMessage("exactly one of --eval", "--train", train);
        assertMessage("exactly one of --eval", "--train", train, "--eval", eval, "--eval-fraction", "0.2");
        assertMessage("--eval-fraction must be between 0 and 1", "--train", train, "--eval-fraction", "1.5");
        assertMessage("--lr needs a value", "--train", train, "--eval", eval, "--lr");
        assertMessage("--labels needs at least two", "--train", train, "--eval", eval, "--labels", "pos");
    }

    @Test
    void usageListsEveryOption() {
        String usage = FineTuneOptions.usage();
        for (String option : List.of("--train", "--eval", "--eval-fraction", "--text-column", "--label-column", "--labels",
                "--mode", "--base", "--epochs", "--lr", "--batch-size", "--max-length", "--limit", "--seed", "--out")) {
            assertTrue(usage.contains(option + " "), option);
        }
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> FineTuneOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
