package dev.sentiflow.inference.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestScoresFileTest {

    @TempDir
    Path dir;

    private static TestScoresFile.Version v(long version, double accuracy) {
        return new TestScoresFile.Version("default", version, new TestScoresFile.Score(accuracy, accuracy - 0.01, 605),
                Map.of("amazon", new TestScoresFile.Score(accuracy, accuracy, 192)));
    }

    @Test
    void aRunAddsItsVersionsAndReplacesTheOnesItScoredAgain() throws IOException {
        Path file = dir.resolve("scores.json");
        TestScoresFile.read(file).with("test.csv", 605, List.of(v(2, 0.90), v(1, 0.88))).write(file);
        TestScoresFile.read(file).with("test.csv", 605, List.of(v(2, 0.91), v(3, 0.93))).write(file);
        TestScoresFile read = TestScoresFile.read(file);
        assertEquals(List.of(1L, 2L, 3L), read.versions().stream().map(TestScoresFile.Version::version).toList());
        assertEquals(0.91, read.versions().get(1).overall().accuracy());
        assertEquals(0.90, read.versions().get(1).overall().macroF1(), 1e-12);
        assertEquals(192, read.versions().get(2).domains().get("amazon").count());
        assertEquals("test.csv", read.testFile());
    }

    @Test
    void scoresOnAnotherTestSetAreRefusedAndAForeignFileIsNamed() throws IOException {
        Path file = dir.resolve("scores.json");
        TestScoresFile.read(file).with("test.csv", 605, List.of(v(1, 0.88))).write(file);
        TestScoresFile held = TestScoresFile.read(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> held.with("other.csv", 605, List.of(v(2, 0.9))));
        assertTrue(e.getMessage().contains("other.csv") && e.getMessage().contains("test.csv"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> held.with("test.csv", 600, List.of(v(2, 0.9))));
        Path foreign = dir.resolve("foreign.json");
        Files.writeString(foreign, "[1, 2]");
        IOException io = assertThrows(IOException.class, () -> TestScoresFile.read(foreign));
        assertTrue(io.getMessage().contains("foreign.json"), io.getMessage());
    }
}
