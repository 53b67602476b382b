package dev.sentiflow.text.data;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats a labelled-text file may have. */
public enum RowFormat {
    CSV,
    JSONL;

    /** Picks the format from the file name: {@code .csv}, or {@code .jsonl}/{@code .ndjson}/{@code .json}. */
    public static RowFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return JSONL;
        }
        throw new IllegalArgumentException(
                "cannot tell the format of " + file + ": name it *.csv or *.jsonl (JSON Lines)");
    }
}
