package dev.sentiflow.text.data;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads RFC 4180 CSV with a header row: fields separated by commas, optionally enclosed in
 * double quotes; a quoted field may hold commas, line breaks and {@code ""} for a quote. Lines
 * end in CRLF or LF. Every record must have as many fields as the header.
 *
 * <p>Streams the input one record at a time, so files larger than memory are fine.
 */
public final class CsvRowReader extends LookaheadRowReader {

    private static final int EOF = -1;

    private final Reader in;
    private final List<String> header;
    private long line = 1;
    private int pushedBack = Integer.MIN_VALUE;

    public CsvRowReader(Reader in, String source) {
        super(in, source);
        this.in = in;
        List<String> first = readRecord();
        if (first == null) {
            throw new MalformedDataException(source, 1, "empty file: a CSV header row is required");
        }
        if (first.get(0).startsWith("\uFEFF")) {
            // Spreadsheet exports often start with a byte-order mark.
            first.set(0, first.get(0).substring(1));
        }
        for (int i = 0; i < first.size(); i++) {
            if (first.get(i).isEmpty()) {
                throw new MalformedDataException(source, 1, "header column " + (i + 1) + " has no name");
            }
            if (first.indexOf(first.get(i)) != i) {
                throw new MalformedDataException(source, 1, "header names column '" + first.get(i) + "' twice");
            }
        }
        this.header = List.copyOf(first);
    }

    public List<String> header() {
        return header;
    }

    @Override
    protected Row readRow() {
        long start = line;
        List<String> values = readRecord();
        while (values != null && values.size() == 1 && values.get(0).isEmpty() && header.size() > 1) {
            // A blank line (often the last one) is not a record.
            start = line;
            values = readRecord();
        }
        if (values == null) {
            return null;
        }
        if (values.size() != header.size()) {
            throw new MalformedDataException(
                    source,
                    start,
                    "expected " + header.size() + " fields " + header + " but found " + values.size());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            fields.put(header.get(i), values.get(i));
        }
        return new Row(source, start, fields);
    }

    /** Reads the fields of one record, or null at end of input. */
    private List<String> readRecord() {
        int c = read();
        if (c == EOF) {
            return null;
        }
        long start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            if (c == '"' && field.isEmpty()) {
                readQuoted(field, start);
                c = read();
                if (c != ',' && c != '\n' && c != '\r' && c != EOF) {
                    throw new MalformedDataException(
                            source, line, "unexpected character '" + (char) c + "' after a closing quote");
                }
            }
            if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' || c == '\n' || c == EOF) {
                if (c == '\r') {
                    int after = read();
                    if (after != '\n') {
                        unread(after);
                    }
                }
                if (c != EOF) {
                    line++;
                }
                fields.add(field.toString());
                return fields;
            } else if (c == '"') {
                throw new MalformedDataException(
                        source, line, "a quote inside an unquoted field; enclose the field in quotes and double the quote");
            } else {
                field.append((char) c);
            }
            c = read();
        }
    }

    private void readQuoted(StringBuilder field, long start) {
        while (true) {
            int c = read();
            if (c == EOF) {
                throw new MalformedDataException(source, start, "quoted field is never closed");
            }
            if (c == '"') {
                int after = read();
                if (after == '"') {
                    field.append('"');
                    continue;
                }
                unread(after);
                return;
            }
            if (c == '\n') {
                line++;
            } else if (c == '\r') {
                int after = read();
                if (after != '\n') {
                    line++;
                }
                unread(after);
            }
            field.append((char) c);
        }
    }

    private int read() {
        if (pushedBack != Integer.MIN_VALUE) {
            int c = pushedBack;
            pushedBack = Integer.MIN_VALUE;
            return c;
        }
        try {
            return in.read();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source + " near line " + line, e);
        }
    }

    private void unread(int c) {
        pushedBack = c;
    }
}
