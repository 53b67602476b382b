package dev.sentiflow.schemas.registry;

/**
 * The registry answered, but in a way no retry and no record can fix: a 404 that is not "unknown
 * schema id" (a wrong {@code schema.registry.url}, a subject that was never registered), or
 * credentials it refuses (401, 403). The service must stop and name the setting to fix.
 */
public final class RegistryConfigurationException extends SchemaRegistryException {

    public RegistryConfigurationException(String message, int status, int errorCode) {
        super(message, status, errorCode, null);
    }
}
