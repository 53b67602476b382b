package dev.sentiflow.inference.evaluate;

import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A labeled test file (CSV or JSONL) read against a model's label set: each row's text, the index of
 * its label (after {@code labelMap}) and its domain. Rows whose label is not one of the model's are
 * left out and counted by value, so a wrong {@code --label-map} shows at once instead of scoring 0.
 *
 * @param skippedLabels label values (as in the file) left out, with their counts
 */
public record TestSet(List<String> texts, int[] truth, List<String> domains, Map<String, Integer> skippedLabels) {

    /** The domain of rows in a file without the domain column. */
    public static final String NO_DOMAIN = "all";

    /** The file's columns and how its labels read as the model's. */
    public record Columns(String text, String label, String domain, Map<String, String> labelMap) {}

    public static TestSet read(Path file, Columns columns, List<String> labels) throws IOException {
        List<String> texts = new ArrayList<>();
        List<Integer> truth = new ArrayList<>();
        List<String> domains = new ArrayList<>();
        Map<String, Integer> skipped = new TreeMap<>();
        try (Stream<Row> rows = RowReaders.rows(file)) {
            for (Row row : (Iterable<Row>) rows::iterator) {
                String raw = row.require(columns.label()).trim();
                int label = labels.indexOf(columns.labelMap().getOrDefault(raw, raw));
                if (label < 0) {
                    skipped.merge(raw, 1, Integer::sum);
                    continue;
                }
                texts.add(row.require(columns.text()));
                truth.add(label);
                domains.add(row.has(columns.domain()) ? row.require(columns.domain()) : NO_DOMAIN);
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(file + ": no row has one of the model's labels " + labels
                    + " (label values seen: " + skipped.keySet() + "; map them with --label-map, e.g. 0=negative)");
        }
        return new TestSet(List.copyOf(texts), truth.stream().mapToInt(Integer::intValue).toArray(),
                List.copyOf(domains), Map.copyOf(skipped));
    }

    public int size() {
        return texts.size();
    }
}
