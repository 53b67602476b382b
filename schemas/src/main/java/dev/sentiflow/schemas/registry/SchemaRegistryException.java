package dev.sentiflow.schemas.registry;

/** The schema registry answered with an error, or could not be reached. */
public class SchemaRegistryException extends RuntimeException {

    /** Confluent's {@code error_code} for "schema not found" (an id the registry does not know). */
    public static final int SCHEMA_NOT_FOUND = 40403;

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, int status, Throwable cause) {
        this(message, status, -1, cause);
    }

    public SchemaRegistryException(String message, int status) {
        this(message, status, -1, null);
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code} from the JSON body (e.g. 40403), or -1 when it sent none. */
    public int errorCode() {
        return errorCode;
    }
}
