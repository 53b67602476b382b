package dev.sentiflow.deploy.local;

import dev.sentiflow.deploy.service.ServiceMain;
import dev.sentiflow.schemas.ops.OpsSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
    record Service(ServiceMain main, String heap, Map<String, String> properties, List<String> args,
                   Map<String, String> env) {
        List<String> command() {
            return JavaCommand.of(heap, properties, main.mainClass(), args);
        }

        /** The port of its metrics and probes endpoint (0: none). */
        int metricsPort() {
            return args.stream().filter(a -> a.startsWith(OpsSettings.METRICS_PORT + "=")).findFirst()
                    .map(a -> Integer.parseInt(a.substring(OpsSettings.METRICS_PORT.length() + 1))).orElse(0);
        }
    }

    private LocalServices() {
    }

    static List<Service> all(Endpoints e) {
        return all(e, Map.of());
    }

    /**
     * @param overrides per service command ({@code trainer}), settings that replace or add to the
     *     local defaults, already checked against the service's declarations ({@link ServiceSettingOverrides})
     */
    static List<Service> all(Endpoints e, Map<String, Map<String, String>> overrides) {
        Map<String, String> connect = Map.of("bootstrap.servers", e.bootstrapServers(),
                "schema.registry.url", e.registryUrl());
        Map<String, String> signing = Map.of("SENTIFLOW_CHECKPOINT_SIGNING_KEY", e.signingKey());
        Map<String, String> ingest = new LinkedHashMap<>(connect);
        ingest.put("state.dir", e.workdir().resolve("state").resolve("ingest").toString());
        Map<String, String> trainer = new LinkedHashMap<>(connect);
        // Rounds of 300: on 2 cores, with reviews flowing all the time (inference scores beside every round),
        // v1 comes at about 1:10 and v2 at about 3:00; rounds of 500 took v2 past the 5 minutes of README's run.
        trainer.put("round.size", "300");
        trainer.put("round.min.examples", "150");
        trainer.put("round.max.wait.ms", "120000");
        Map<String, String> inference = new LinkedHashMap<>(connect);
        inference.put("state.dir", e.workdir().resolve("state").resolve("inference").toString());
        inference.put("topic.dlq", dev.sentiflow.schemas.Topics.PREDICTIONS_DLQ);
        // Trainer and inference share the cores: one PyTorch thread each, and one ONNX Runtime thread for scoring,
        // one run at a time.
        inference.put(dev.sentiflow.inference.InferenceConfig.INTRA_OP_THREADS, "1");
        inference.put(dev.sentiflow.inference.InferenceConfig.PARALLEL_RUNS, "1");
        Map<String, String> oneThread = JavaCommand.ONE_TORCH_THREAD;
        return List.of(
                service(ServiceMain.INGEST, "768m", Map.of(), ingest, overrides, Map.of()),
                service(ServiceMain.TRAINER, "3g", oneThread, trainer, overrides, signing),
                service(ServiceMain.INFERENCE, "2g", oneThread, inference, overrides, signing));
    }

    private static Service service(ServiceMain main, String heap, Map<String, String> properties,
            Map<String, String> defaults, Map<String, Map<String, String>> overrides, Map<String, String> env) {
        Map<String, String> settings = new LinkedHashMap<>(defaults);
        // Each child its own metrics and probes endpoint, on this host only, at a port free now.
        settings.put(OpsSettings.METRICS_HOST, "127.0.0.1");
        settings.put(OpsSettings.METRICS_PORT, String.valueOf(freePort()));
        settings.putAll(overrides.getOrDefault(main.command(), Map.of()));
        return new Service(main, heap, properties, settings.entrySet().stream().map(s -> s.getKey() + "=" + s.getValue()).toList(),
                env);
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            return 0; // no endpoint rather than no stack
        }
    }
}
