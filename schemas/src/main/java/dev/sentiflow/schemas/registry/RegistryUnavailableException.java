package dev.sentiflow.schemas.registry;

/** No answer from the registry after every retry: it is down, unreachable, or failing with 5xx. */
public final class RegistryUnavailableException extends SchemaRegistryException {

    public RegistryUnavailableException(String message, int lastStatus, Throwable cause) {
        super(message, lastStatus, cause);
    }
}
