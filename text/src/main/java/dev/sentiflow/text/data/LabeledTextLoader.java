package dev.sentiflow.text.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns the rows of a CSV/JSONL file into {@link LabeledText} examples: picks the text and
 * label columns, maps label strings to class indices, and gives each record an id for the
 * stable split (the id column when the file has one, otherwise the text itself, so duplicate
 * texts always land on the same side of the split).
 */
public final class LabeledTextLoader {

    public static final String DEFAULT_TEXT_COLUMN = "text";
    public static final String DEFAULT_LABEL_COLUMN = "label";
    public static final String DEFAULT_ID_COLUMN = "id";

    private final String textColumn;
    private final String labelColumn;
    private final String idColumn;
    private final Optional<LabelSet> labels;
    private final long limit;

    private LabeledTextLoader(String textColumn, String labelColumn, String idColumn, Optional<LabelSet> labels, long limit) {
        this.textColumn = textColumn;
        this.labelColumn = labelColumn;
        this.idColumn = idColumn;
        this.labels = labels;
        this.limit = limit;
    }

    /** Columns {@code text}, {@code label}, {@code id}; labels inferred; no row limit. */
    public static LabeledTextLoader defaults() {
        return new LabeledTextLoader(DEFAULT_TEXT_COLUMN, DEFAULT_LABEL_COLUMN, DEFAULT_ID_COLUMN, Optional.empty(), Long.MAX_VALUE);
    }

    public LabeledTextLoader textColumn(String column) {
        return new LabeledTextLoader(column, labelColumn, idColumn, labels, limit);
    }

    public LabeledTextLoader labelColumn(String column) {
        return new LabeledTextLoader(textColumn, column, idColumn, labels, limit);
    }

    public LabeledTextLoader idColumn(String column) {
        return new LabeledTextLoader(textColumn, labelColumn, column, labels, limit);
    }

    /** Fixes the label set; a label outside it is an error naming file and line. */
    public LabeledTextLoader labels(LabelSet set) {
        return new LabeledTextLoader(textColumn, labelColumn, idColumn, Optional.of(set), limit);
    }

    /** Reads only the first {@code n} records (quick demos). */
    public LabeledTextLoader limit(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + n);
        }
        return new LabeledTextLoader(textColumn, labelColumn, idColumn, labels, n);
    }

    public LabeledTextSet load(Path file) throws IOException {
        try (Stream<Row> rows = RowReaders.rows(file)) {
            return load(rows);
        }
    }

    /** Builds the set from rows; the stream is consumed but not closed. */
    public LabeledTextSet load(Stream<Row> rows) {
        List<Row> kept = new ArrayList<>();
        rows.limit(limit).forEach(kept::add);
        LabelSet set = labels.orElseGet(() -> inferLabels(kept));
        List<LabeledText> examples = new ArrayList<>(kept.size());
        for (Row row : kept) {
            String text = row.require(textColumn);
            String label = row.require(labelColumn).strip();
            if (!set.contains(label)) {
                throw new MalformedDataException(
                        row.source(), row.line(), "unknown label '" + label + "' in column '" + labelColumn + "'; known labels are " + set);
            }
            String id = row.has(idColumn) ? row.require(idColumn) : text;
            examples.add(new LabeledText(id, text, set.indexOf(label)));
        }
        return new LabeledTextSet(examples, set);
    }

    private LabelSet inferLabels(List<Row> rows) {
        Set<String> seen = new LinkedHashSet<>();
        for (Row row : rows) {
            seen.add(row.require(labelColumn).strip());
        }
        if (seen.size() < 2) {
            String where = rows.isEmpty() ? "the input has no rows" : rows.get(0).source() + " has only " + seen;
            throw new IllegalArgumentException(
                    "cannot infer labels from column '" + labelColumn + "': " + where + "; pass the label list explicitly");
        }
        return LabelSet.inferred(seen);
    }
}
