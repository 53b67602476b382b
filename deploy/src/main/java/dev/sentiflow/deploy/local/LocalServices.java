package dev.sentiflow.deploy.local;

import dev.sentiflow.deploy.service.ServiceMain;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The services the local stack runs as child JVMs and the settings each gets: the local broker and
 * registry as {@code key=value} arguments (the form every service's main reads), its heap, and the
 * checkpoint signing key in the environment ({@code SENTIFLOW_CHECKPOINT_SIGNING_KEY}, read like
 * every {@code SENTIFLOW_*} setting) rather than on a command line that {@code ps} shows.
 *
 * <p>Trainer and inference run only when their main classes are on the class path; until those
 * modules land the stack runs without them and says so. Only settings a service declares are
 * passed: a service may refuse unknown keys.
 */
final class LocalServices {

    /** Where the services connect and keep their state. */
    record Endpoints(String bootstrapServers, String registryUrl, Path workdir, String signingKey) {}

    /** One service of the stack. */
    record Service(ServiceMain main, String heap, List<String> args, Map<String, String> env) {
        List<String> command() {
            return JavaCommand.of(heap, main.mainClass(), args);
        }
    }

    private LocalServices() {
    }

    static List<Service> all(Endpoints e) {
        List<String> connect = List.of("bootstrap.servers=" + e.bootstrapServers(),
                "schema.registry.url=" + e.registryUrl());
        Map<String, String> signing = Map.of("SENTIFLOW_CHECKPOINT_SIGNING_KEY", e.signingKey());
        return List.of(
                new Service(ServiceMain.INGEST, "768m", concat(connect,
                        "state.dir=" + e.workdir().resolve("state").resolve("ingest")), Map.of()),
                // Rounds of 500 so a first model appears within about three minutes on 2 cores.
                new Service(ServiceMain.TRAINER, "3g", concat(concat(concat(connect, "round.size=500"),
                        "round.min.examples=200"), "round.max.wait.ms=120000"), signing),
                new Service(ServiceMain.INFERENCE, "2g", concat(concat(connect,
                        "state.dir=" + e.workdir().resolve("state").resolve("inference")),
                        "topic.dlq=" + dev.sentiflow.schemas.Topics.PREDICTIONS_DLQ), signing));
    }

    private static List<String> concat(List<String> list, String more) {
        List<String> all = new java.util.ArrayList<>(list);
        all.add(more);
        return List.copyOf(all);
    }
}
