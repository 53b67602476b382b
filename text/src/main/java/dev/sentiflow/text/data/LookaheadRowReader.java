package dev.sentiflow.text.data;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The iterator and closing shared by the file formats: a format only says how to read its next
 * row ({@link #readRow()}); this class reads one row ahead so {@link #hasNext()} can answer.
 */
abstract class LookaheadRowReader implements Iterator<Row>, AutoCloseable {

    /** File or stream name, for error messages. */
    protected final String source;
    private final Reader in;
    private Row next;

    LookaheadRowReader(Reader in, String source) {
        this.in = in;
        this.source = source;
    }

    /** The next row, or null at the end of the input. */
    protected abstract Row readRow();

    @Override
    public final boolean hasNext() {
        if (next == null) {
            next = readRow();
        }
        return next != null;
    }

    @Override
    public final Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Row row = next;
        next = null;
        return row;
    }

    @Override
    public final void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + source, e);
        }
    }
}
