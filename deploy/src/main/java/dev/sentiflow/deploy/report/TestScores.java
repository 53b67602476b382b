package dev.sentiflow.deploy.report;

import dev.sentiflow.inference.evaluate.TestScoresFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every version's scores on one fixed test file, as {@code evaluate --out} keeps them: the report's
 * first chart, the one place versions are compared on the same examples.
 *
 * @param file the test file, as evaluate named it
 * @param rows its scored rows
 * @param versions oldest first
 * @param source the scores file read; empty when none was given
 */
public record TestScores(String file, int rows, List<VersionScores> versions, String source) {

    public static final TestScores NONE = new TestScores("", 0, List.of(), "");

    public TestScores {
        versions = List.copyOf(versions);
    }

    /** The scores in {@code scoresFile}; a file that is not there gives none, one that is not such scores fails. */
    public static TestScores read(Path scoresFile) {
        if (!Files.exists(scoresFile)) {
            return NONE;
        }
        try {
            TestScoresFile held = TestScoresFile.read(scoresFile);
            List<VersionScores> versions = held.versions().stream().map(v -> {
                Map<String, Scores> domains = new TreeMap<>();
                v.domains().forEach((d, s) -> domains.put(d, scores(s)));
                return new VersionScores(v.model(), v.version(), scores(v.overall()), domains);
            }).toList();
            return new TestScores(held.testFile(), held.rows(), versions, scoresFile.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static Scores scores(TestScoresFile.Score s) {
        return new Scores(s.count(), s.accuracy(), s.macroF1());
    }
}
