package dev.sentiflow.inference.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test scores per version, kept in a JSON file that {@code evaluate --out} adds to and the report's
 * first chart reads: every version scored on one test file, so the versions can be compared. A run
 * replaces the scores of the versions it scored and keeps the others; scores on another test file
 * (by path and row count) are refused rather than mixed in.
 *
 * @param testFile the test file the versions were scored on
 * @param rows its rows that were scored
 * @param versions per model and version, oldest first
 */
public record TestScoresFile(@JsonProperty("test_file") String testFile, @JsonProperty("rows") int rows,
                             @JsonProperty("versions") List<Version> versions) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Accuracy and macro-F1 over {@code count} rows. */
    public record Score(@JsonProperty("accuracy") double accuracy, @JsonProperty("macro_f1") double macroF1,
                        @JsonProperty("count") long count) {
        static Score of(ConfusionMatrix m) {
            return new Score(m.accuracy(), m.macroF1(), m.total());
        }
    }

    /** One version's scores, overall and per domain. */
    public record Version(@JsonProperty("model") String model, @JsonProperty("version") long version,
                          @JsonProperty("overall") Score overall, @JsonProperty("domains") Map<String, Score> domains) {
        public Version {
            domains = domains == null ? Map.of() : new LinkedHashMap<>(domains);
        }
    }

    public TestScoresFile {
        versions = List.copyOf(versions == null ? List.of() : versions);
    }

    public static Version version(VersionScores scores) {
        Map<String, Score> domains = new LinkedHashMap<>();
        scores.perDomain().forEach((d, m) -> domains.put(d, Score.of(m)));
        return new Version(scores.model(), scores.version(), Score.of(scores.overall()), domains);
    }

    /** The file's scores; a missing file has none. A file that is not such scores is an error that names it. */
    public static TestScoresFile read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new TestScoresFile("", 0, List.of());
        }
        try {
            TestScoresFile scores = JSON.readValue(file.toFile(), TestScoresFile.class);
            if (scores.testFile() == null) {
                throw new IOException(file + " is not a test scores file (no test_file)");
            }
            return scores;
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not a test scores file: " + e.getOriginalMessage(), e);
        }
    }

    /** These scores with {@code scored} added, replacing earlier scores of the same versions. */
    public TestScoresFile with(String scoredFile, int scoredRows, List<Version> scored) {
        if (!versions.isEmpty() && (!testFile.equals(scoredFile) || rows != scoredRows)) {
            throw new IllegalArgumentException("the scores file holds scores on " + testFile + " (" + rows
                    + " rows), not on " + scoredFile + " (" + scoredRows + " rows): versions scored on different "
                    + "test sets cannot be compared; write them to another file");
        }
        Map<String, Version> merged = new LinkedHashMap<>();
        for (Version v : versions) {
            merged.put(v.model() + " " + v.version(), v);
        }
        for (Version v : scored) {
            merged.put(v.model() + " " + v.version(), v);
        }
        List<Version> sorted = new ArrayList<>(merged.values());
        sorted.sort(Comparator.comparing(Version::model).thenComparingLong(Version::version));
        return new TestScoresFile(scoredFile, scoredRows, sorted);
    }

    /** Writes the file whole (to a temporary file first, so a reader never sees half of it). */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), this);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
