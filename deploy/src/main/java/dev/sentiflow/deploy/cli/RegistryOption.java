package dev.sentiflow.deploy.cli;

import picocli.CommandLine.Option;

/** {@code --registry}, for the commands that decode Avro; resolved with {@link ClientSettings#registry}. */
public final class RegistryOption {

    @Option(names = "--registry", paramLabel = "URL",
            description = "Confluent-compatible schema registry (default: " + ClientSettings.REGISTRY_KEY
                    + " from --config, else " + ClientSettings.DEFAULT_REGISTRY
                    + "; for Apicurio end it in /apis/ccompat/v7).")
    String url;
}
