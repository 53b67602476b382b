package dev.sentiflow.text.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Opens CSV or JSONL files (UTF-8) as lazy streams of rows. Close the stream (try-with-resources)
 * to close the file. Nothing here knows about labels or models, so producers can reuse it.
 */
public final class RowReaders {

    private RowReaders() {}

    /** Rows of a file, format chosen by its extension. */
    public static Stream<Row> rows(Path file) throws IOException {
        return rows(Files.newBufferedReader(file, StandardCharsets.UTF_8), file.toString(), RowFormat.of(file));
    }

    /** Rows of an already open reader; {@code source} names it in error messages. */
    public static Stream<Row> rows(Reader reader, String source, RowFormat format) {
        BufferedReader buffered = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        LookaheadRowReader it = format == RowFormat.CSV
                ? new CsvRowReader(buffered, source)
                : new JsonlRowReader(buffered, source);
        Spliterator<Row> split = Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(split, false).onClose(() -> {
            try {
                it.close();
            } catch (RuntimeException e) {
                throw new IllegalStateException("closing " + source, e);
            }
        });
    }

    /** The same rows as plain column → value maps. */
    public static Stream<Map<String, String>> maps(Path file) throws IOException {
        return rows(file).map(Row::fields);
    }
}
