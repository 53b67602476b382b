package dev.sentiflow.schemas.registry;

/**
 * The registry does not know this schema id (HTTP 404 with error code 40403). A record framed with
 * such an id is the record's problem (it was written against another registry, or is garbage that
 * happens to start with a zero byte), unlike a 404 from a wrong URL.
 */
public final class UnknownSchemaIdException extends SchemaRegistryException {

    public UnknownSchemaIdException(String message) {
        super(message, 404, SCHEMA_NOT_FOUND, null);
    }
}
