package dev.sentiflow.text.data;

import java.util.Map;

/**
 * One record of a labelled-text file: its fields by column name, and where it came from so
 * that later errors (unknown label, empty text) can point at the line.
 *
 * @param source file or stream name
 * @param line 1-based line on which the record starts
 * @param fields column name to value, in the file's column order
 */
public record Row(String source, long line, Map<String, String> fields) {

    public Row {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    /** The value of a column, or an error naming file, line and the columns that do exist. */
    public String require(String column) {
        String value = fields.get(column);
        if (value == null) {
            throw new MalformedDataException(
                    source, line, "no column '" + column + "' (columns: " + fields.keySet() + ")");
        }
        return value;
    }

    public boolean has(String column) {
        return fields.containsKey(column);
    }
}
