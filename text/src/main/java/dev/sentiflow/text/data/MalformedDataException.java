package dev.sentiflow.text.data;

/**
 * A labelled-text file could not be read as promised: bad CSV quoting, a line that is not a
 * JSON object, a missing column, an unknown label. The message names the file and line so the
 * user can open the file and fix it.
 */
public class MalformedDataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final long line;

    public MalformedDataException(String source, long line, String problem) {
        this(source, line, problem, null);
    }

    public MalformedDataException(String source, long line, String problem, Throwable cause) {
        super(source + ":" + line + ": " + problem, cause);
        this.source = source;
        this.line = line;
    }

    /** The file (or stream name) being read. */
    public String source() {
        return source;
    }

    /** 1-based line where the offending record starts. */
    public long line() {
        return line;
    }
}
