package dev.sentiflow.deploy.manifests;

import static dev.sentiflow.deploy.manifests.DeployFiles.list;
import static dev.sentiflow.deploy.manifests.DeployFiles.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.schemas.config.ConfigSources;
import dev.sentiflow.schemas.ops.OpsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files (deploy/docker, deploy/compose, deploy/k8s) against the services' own option
 * declarations. Nothing here runs Docker or Kubernetes: the files are parsed, each service's settings
 * are read the way the service reads them ({@code ConfigSources}: its properties files and its
 * {@code SENTIFLOW_*} variables) and checked against its {@code ConfigDef}, then given to its config
 * class and to the Kafka clients' config classes, as at start.
 */
class ManifestsTest {

    private final DeployFiles files = DeployFiles.locate();

    @TempDir
    Path scratch;

    // ---- what each service is given ----

    private List<ServiceSettings> composeSettings() throws IOException {
        List<ServiceSettings> settings = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> service : files.composeServices().entrySet()) {
            if (DeployFiles.composeKind(service.getValue()) != null) {
                settings.add(files.composeSettings(service.getKey(), service.getValue()));
            }
        }
        return settings;
    }

    private List<DeployFiles.K8sObject> k8s() throws IOException {
        return files.k8s("k8s");
    }

    private Map<String, DeployFiles.K8sObject> byKind(List<DeployFiles.K8sObject> objects, String kind) {
        Map<String, DeployFiles.K8sObject> byName = new LinkedHashMap<>();
        objects.stream().filter(o -> o.kind().equals(kind)).forEach(o -> byName.put(o.name(), o));
        return byName;
    }

    private List<K8sPod> k8sPods(String kind) throws IOException {
        List<DeployFiles.K8sObject> objects = k8s();
        Map<String, DeployFiles.K8sObject> configMaps = byKind(objects, "ConfigMap");
        Map<String, DeployFiles.K8sObject> secrets = byKind(objects, "Secret");
        return objects.stream().filter(o -> o.kind().equals(kind)).map(o -> new K8sPod(o, configMaps, secrets)).toList();
    }

    /** A Deployment sentiflow-WORD runs service WORD. */
    private List<ServiceSettings> k8sSettings() throws IOException {
        List<ServiceSettings> settings = new ArrayList<>();
        for (K8sPod pod : k8sPods("Deployment")) {
            String name = pod.owner.name();
            assertTrue(name.startsWith("sentiflow-"), pod.owner.where(files.deploy) + ": Deployments are named sentiflow-SERVICE");
            ServiceKind kind = ServiceKind.byWord(name.substring("sentiflow-".length()));
            settings.add(pod.settings(kind, pod.owner.where(files.deploy), scratch.resolve(name)));
        }
        return settings;
    }

    private static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }

    private static void assertEveryService(List<ServiceSettings> settings, String where) {
        Set<ServiceKind> present = settings.stream().map(ServiceSettings::kind).collect(Collectors.toCollection(
                () -> EnumSet.noneOf(ServiceKind.class)));
        assertEquals(EnumSet.allOf(ServiceKind.class), present, where + " runs every service");
    }

    // ---- the tests ----

    @Test
    void composeGivesEveryServiceOnlyItsOwnOptionsAndEveryRequiredOne() throws IOException {
        List<ServiceSettings> settings = composeSettings();
        assertEveryService(settings, "compose.yaml");
        assertNoProblems(settings.stream().flatMap(s -> s.problems().stream()).toList());
    }

    @Test
    void kubernetesGivesEveryServiceOnlyItsOwnOptionsAndEveryRequiredOne() throws IOException {
        List<ServiceSettings> settings = k8sSettings();
        assertEveryService(settings, "deploy/k8s");
        assertNoProblems(settings.stream().flatMap(s -> s.problems().stream()).toList());
    }

    @Test
    void theServicesShareBrokerRegistryAndSigningKey() throws IOException {
        List<String> problems = new ArrayList<>();
        problems.addAll(agreement("compose.yaml", composeSettings()));
        problems.addAll(agreement("deploy/k8s", k8sSettings()));
        assertNoProblems(problems);
    }

    private static List<String> agreement(String where, List<ServiceSettings> settings) {
        List<String> problems = new ArrayList<>();
        for (String option : List.of("bootstrap.servers", "schema.registry.url")) {
            Map<String, String> values = new TreeMap<>();
            for (ServiceSettings s : settings) {
                if (!s.values().containsKey(option)) {
                    problems.add(s.where() + ": " + option + " is not set (its default points at localhost)");
                }
                values.put(s.where(), s.kind().effective(s.values(), option));
            }
            if (new TreeSet<>(values.values()).size() > 1) {
                problems.add(where + ": the services disagree on " + option + ": " + values);
            }
        }
        Map<String, String> sources = new TreeMap<>();
        for (ServiceSettings s : settings) {
            if (s.kind() == ServiceKind.INGEST) {
                continue;
            }
            String source = s.signingKeySource();
            if (source == null || source.isBlank()) {
                problems.add(s.where() + ": checkpoint.signing.key is not set (checkpoints would go unsigned)");
            } else if (source.startsWith("inline")) {
                problems.add(s.where() + ": checkpoint.signing.key is written into the manifest (" + source
                        + "); it belongs in an env file or a Secret");
            } else if (s.values().getOrDefault("checkpoint.signing.key", "").isBlank()) {
                problems.add(s.where() + ": checkpoint.signing.key from " + source + " is empty");
            }
            sources.put(s.where(), source);
        }
        if (new TreeSet<>(sources.values()).size() != 1) {
            problems.add(where + ": trainer and inference take checkpoint.signing.key from different places: " + sources);
        }
        return problems;
    }

    @Test
    void everyTopicTheServicesUseIsCreatedAsPipelineTopicsPlansIt() throws IOException {
        List<String> problems = new ArrayList<>();
        Object composeScript = files.composeServices().get("topics").get("command");
        CreatedTopics compose = CreatedTopics.fromScript("compose.yaml service topics", String.join("\n",
                ((List<?>) composeScript).stream().map(String::valueOf).toList()));
        problems.addAll(topicProblems(compose, composeSettings()));

        List<K8sPod> jobs = k8sPods("Job");
        assertEquals(1, jobs.size(), "deploy/k8s has one Job, the topics job");
        CreatedTopics job = CreatedTopics.fromScript(jobs.get(0).owner.where(files.deploy),
                String.join("\n", jobs.get(0).args()));
        List<ServiceSettings> k8s = k8sSettings();
        problems.addAll(topicProblems(job, k8s));
        CreatedTopics strimzi = CreatedTopics.fromStrimzi("k8s/optional/strimzi-topics.yaml", files.k8s("k8s/optional"));
        problems.addAll(topicProblems(strimzi, k8s));
        for (CreatedTopics.Created topic : job.topics) {
            int strimziPartitions = strimzi.topic(topic.name()).map(CreatedTopics.Created::partitions).orElse(-1);
            if (strimziPartitions != topic.partitions()) {
                problems.add("k8s/optional/strimzi-topics.yaml: '" + topic.name() + "' with " + strimziPartitions
                        + " partitions, the topics Job " + topic.partitions());
            }
        }
        assertNoProblems(problems);
    }

    private List<String> topicProblems(CreatedTopics created, List<ServiceSettings> settings) {
        List<String> problems = new ArrayList<>(created.problemsAgainstPlan());
        for (ServiceSettings s : settings) {
            for (String option : s.kind().definition.names()) {
                if (!option.startsWith("topic.")) {
                    continue;
                }
                String topic = s.kind().effective(s.values(), option);
                if (created.topic(topic).isEmpty()) {
                    problems.add(created.where + ": does not create '" + topic + "', " + s.where() + "'s " + option);
                }
            }
            String bootstrap = s.kind().effective(s.values(), "bootstrap.servers");
            Set<String> elsewhere = created.topics.stream().map(CreatedTopics.Created::bootstrap)
                    .filter(b -> b != null && !b.equals(bootstrap)).collect(Collectors.toCollection(TreeSet::new));
            if (!elsewhere.isEmpty()) {
                problems.add(created.where + ": creates topics on " + elsewhere + ", but " + s.where()
                        + " uses bootstrap.servers=" + bootstrap);
            }
            // Stream threads beyond the input topic's partitions stay idle.
            String threadsValue = s.kind().streams() ? s.kind().effective(s.values(), s.kind().threadsOption.get()) : null;
            if (threadsValue != null && threadsValue.matches("\\d+")) { // another value is reported by the option checks
                int threads = Integer.parseInt(threadsValue);
                String input = s.kind().effective(s.values(), s.kind().inputTopicOption.get());
                int partitions = created.topic(input).map(CreatedTopics.Created::partitions).orElse(0);
                if (s.instances() * threads > partitions) {
                    problems.add(s.where() + ": " + s.instances() + " instance(s) x " + threads + " stream threads > the "
                            + partitions + " partitions of '" + input + "' in " + created.where);
                }
            }
        }
        return problems;
    }

    @Test
    void theImagesRunTheirServiceAsANonRootUserWithOfflineDjlAndACacheVolume() {
        List<String> problems = new ArrayList<>();
        for (ServiceKind kind : ServiceKind.values()) {
            Path file = files.deploy.resolve("docker/Dockerfile." + kind.word);
            List<Dockerfiles.Stage> stages = Dockerfiles.stages(file);
            String where = files.deploy.relativize(file).toString();
            if (stages.stream().flatMap(s -> s.runs.stream()).noneMatch(run -> run.contains("mvn ")
                    && run.contains("-pl " + kind.word + " ") && run.contains("-am") && run.contains("copy-dependencies"))) {
                problems.add(where + ": no stage builds -pl " + kind.word + " -am and collects its runtime class path");
            }
            List<Dockerfiles.Stage> runtimes = stages.stream().filter(s -> s.entrypoint != null).toList();
            if (runtimes.isEmpty() || stages.get(stages.size() - 1).entrypoint == null) {
                problems.add(where + ": the last stage (the default target) has no ENTRYPOINT");
            }
            for (Dockerfiles.Stage stage : runtimes) {
                String at = where + " stage " + (stage.name == null ? stage.base : stage.name);
                List<String> entrypoint = stage.entrypoint;
                if (!entrypoint.get(0).equals("java") || !entrypoint.contains("-cp")
                        || !entrypoint.get(entrypoint.size() - 1).equals(kind.mainClass)) {
                    problems.add(at + ": ENTRYPOINT " + entrypoint + " is not java -cp ... " + kind.mainClass);
                }
                if (stage.user == null || stage.user.startsWith("root") || stage.user.startsWith("0")) {
                    problems.add(at + ": runs as root (USER " + stage.user + ")");
                }
                if (!"true".equals(stage.env.get("DJL_OFFLINE"))) {
                    problems.add(at + ": DJL_OFFLINE is not true");
                }
                for (String dir : List.of("DJL_CACHE_DIR", "SENTIFLOW_CACHE_DIR")) {
                    String value = stage.env.get(dir);
                    if (value == null || stage.volumes.stream().noneMatch(v -> value.equals(v) || value.startsWith(v + "/"))) {
                        problems.add(at + ": " + dir + "=" + value + " is not on a VOLUME " + stage.volumes);
                    }
                }
                try {
                    ConfigSources.Loaded loaded = ConfigSources.load(new String[0], stage.env);
                    problems.addAll(new ServiceSettings(kind, at, loaded.values(), loaded.origins(), null, 1).problems());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        // Every compose service we build names a Dockerfile and, if any, a target stage that exist.
        for (Map.Entry<String, Map<String, Object>> service : files.composeServices().entrySet()) {
            if (!(service.getValue().get("build") instanceof Map<?, ?> build)) {
                continue;
            }
            Path context = files.deploy.resolve("compose").resolve(String.valueOf(build.get("context"))).normalize();
            Path dockerfile = context.resolve(String.valueOf(build.get("dockerfile")));
            if (!Files.isRegularFile(dockerfile)) {
                problems.add("compose.yaml service " + service.getKey() + ": no Dockerfile " + dockerfile);
            } else if (build.get("target") != null && Dockerfiles.stages(dockerfile).stream()
                    .noneMatch(s -> build.get("target").equals(s.name) && s.entrypoint != null)) {
                problems.add("compose.yaml service " + service.getKey() + ": " + dockerfile.getFileName()
                        + " has no runnable stage " + build.get("target"));
            }
            if (!Files.isRegularFile(context.resolve("pom.xml"))) {
                problems.add("compose.yaml service " + service.getKey() + ": build context " + context + " is not the repository root");
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void composeRunsTheTrainerOnAGpuOnlyBehindTheGpuProfile() {
        Map<String, Map<String, Object>> services = files.composeServices();
        List<String> withGpu = new ArrayList<>();
        services.forEach((name, service) -> {
            for (Map<String, Object> device : list(path(service, "deploy", "resources", "reservations", "devices"))) {
                if ("nvidia".equals(device.get("driver"))) {
                    withGpu.add(name);
                    assertEquals(ServiceKind.TRAINER, DeployFiles.composeKind(service), name + " reserves a GPU");
                    assertEquals(List.of("gpu"), service.get("profiles"), name + " reserves a GPU outside the gpu profile");
                }
            }
        });
        assertEquals(1, withGpu.size(), "one trainer service reserves an NVIDIA GPU: " + withGpu);
        assertTrue(services.values().stream().anyMatch(s -> DeployFiles.composeKind(s) == ServiceKind.TRAINER
                && s.get("profiles") == null), "a CPU trainer runs without a profile");
        assertTrue(String.valueOf(path(services.get("kafka"), "image")).startsWith("apache/kafka:4."), "apache/kafka 4.x");
        assertTrue(String.valueOf(path(services.get("registry"), "image")).startsWith("apicurio/apicurio-registry:3.0."),
                "Apicurio 3.0.x");
    }

    @Test
    void kubernetesRunsOneTrainerOnAGpuNodeAndScalesTheStreamsServices() throws IOException {
        Map<String, K8sPod> pods = new LinkedHashMap<>();
        for (K8sPod pod : k8sPods("Deployment")) {
            pods.put(pod.owner.name(), pod);
        }
        Map<String, Object> trainer = pods.get("sentiflow-trainer").owner.body();
        assertEquals(1, path(trainer, "spec", "replicas"), "one trainer");
        assertEquals("Recreate", path(trainer, "spec", "strategy", "type"), "the trainer is recreated, never rolled");
        assertFalse(((Map<?, ?>) pods.get("sentiflow-trainer").podSpec.get("nodeSelector")).isEmpty(), "a GPU node");
        assertEquals(1, path(pods.get("sentiflow-trainer").container, "resources", "limits", "nvidia.com/gpu"));
        for (String streams : List.of("sentiflow-ingest", "sentiflow-inference")) {
            assertEquals(2, path(pods.get(streams).owner.body(), "spec", "replicas"), streams + " replicas");
        }
        List<ServiceSettings> settings = k8sSettings();
        ServiceSettings inference = settings.stream().filter(s -> s.kind() == ServiceKind.INFERENCE).findFirst().orElseThrow();
        assertEquals("1", inference.values().get("num.standby.replicas"), "inference keeps a standby");
        assertTrue(inference.values().containsKey("num.stream.threads"), "inference sets num.stream.threads");

        List<String> problems = new ArrayList<>();
        // Every file a setting names (trust stores, key stores) is mounted into the pod.
        for (K8sPod pod : k8sPods("Deployment")) {
            ServiceSettings s = settings.stream().filter(x -> x.where().equals(pod.owner.where(files.deploy))).findFirst().orElseThrow();
            s.values().forEach((key, value) -> {
                if (key.endsWith(".location") && !value.isBlank() && pod.file(value).isEmpty()) {
                    problems.add(s.where() + ": " + key + "=" + value + " is no file the pod mounts");
                }
            });
        }
        // The topics Job's plain client settings are the services' kafka.* ones.
        Map<String, String> secret = DeployFiles.data(byKind(k8s(), "Secret").get("sentiflow-kafka-client"));
        Properties client = DeployFiles.properties(secret.get("client.properties"));
        Properties admin = DeployFiles.properties(secret.get("admin.properties"));
        Map<String, String> fromClient = new TreeMap<>();
        client.stringPropertyNames().stream().filter(k -> k.startsWith("kafka."))
                .forEach(k -> fromClient.put(k.substring("kafka.".length()), client.getProperty(k)));
        Map<String, String> fromAdmin = new TreeMap<>();
        admin.stringPropertyNames().forEach(k -> fromAdmin.put(k, admin.getProperty(k)));
        if (!fromClient.equals(fromAdmin)) {
            problems.add("k8s/10-secrets.yaml: admin.properties " + fromAdmin + " differs from client.properties' kafka.* "
                    + fromClient);
        }
        K8sPod job = k8sPods("Job").get(0);
        String script = String.join("\n", job.args());
        for (String line : script.split("\n")) {
            int at = line.indexOf("--command-config ");
            if (at >= 0 && job.file(line.substring(at).split("\\s+")[1]).isEmpty()) {
                problems.add(job.owner.where(files.deploy) + ": --command-config file is not mounted");
            }
        }
        assertNoProblems(problems);
    }

    /**
     * Every Deployment's probes and scrape targets point at the endpoint its service serves: the port its
     * {@code metrics.port} setting names (not 0), {@code /health/live} and {@code /health/ready}, the pod's
     * prometheus.io annotations, a headless Service that the optional ServiceMonitor selects; and compose's
     * Prometheus scrapes each service at its port.
     */
    @Test
    void probesAndScrapeTargetsUseTheEndpointEachServiceServes() throws IOException {
        List<String> problems = new ArrayList<>();
        List<ServiceSettings> settings = k8sSettings();
        Map<String, DeployFiles.K8sObject> services = byKind(k8s(), "Service");
        for (K8sPod pod : k8sPods("Deployment")) {
            String where = pod.owner.where(files.deploy);
            ServiceSettings s = settings.stream().filter(x -> x.where().equals(where)).findFirst().orElseThrow();
            int port = Integer.parseInt(s.values().getOrDefault(OpsSettings.METRICS_PORT, "0"));
            if (port == 0) {
                problems.add(where + ": metrics.port is not set, so there is no endpoint to probe or scrape");
                continue;
            }
            List<Map<String, Object>> ports = DeployFiles.list(pod.container.get("ports"));
            Object named = ports.stream().filter(p -> "metrics".equals(p.get("name"))).map(p -> p.get("containerPort"))
                    .findFirst().orElse(null);
            if (!Integer.valueOf(port).equals(named)) {
                problems.add(where + ": container port 'metrics' is " + named + ", metrics.port is " + port);
            }
            for (String[] probe : new String[][] {{"livenessProbe", "/health/live"}, {"readinessProbe", "/health/ready"},
                    {"startupProbe", "/health/live"}}) {
                Object path = path(pod.container, probe[0], "httpGet", "path");
                Object probePort = path(pod.container, probe[0], "httpGet", "port");
                if (!probe[1].equals(path) || !("metrics".equals(probePort) || Integer.valueOf(port).equals(probePort))) {
                    problems.add(where + ": " + probe[0] + " asks " + probePort + path + ", not metrics" + probe[1]);
                }
            }
            Map<?, ?> annotations = (Map<?, ?>) path(pod.owner.body(), "spec", "template", "metadata", "annotations");
            if (annotations == null || !"true".equals(annotations.get("prometheus.io/scrape"))
                    || !String.valueOf(port).equals(annotations.get("prometheus.io/port"))
                    || !"/metrics".equals(annotations.get("prometheus.io/path"))) {
                problems.add(where + ": the pod's prometheus.io annotations do not name port " + port + " and /metrics");
            }
            DeployFiles.K8sObject service = services.get(pod.owner.name() + "-metrics");
            if (service == null || !String.valueOf(path(pod.owner.body(), "spec", "selector", "matchLabels",
                    "app.kubernetes.io/name")).equals(String.valueOf(path(service.body(), "spec", "selector",
                    "app.kubernetes.io/name")))) {
                problems.add(where + ": no Service " + pod.owner.name() + "-metrics selecting its pods");
            } else if (DeployFiles.list(path(service.body(), "spec", "ports")).stream()
                    .noneMatch(p -> "metrics".equals(p.get("name")) && Integer.valueOf(port).equals(p.get("port")))) {
                problems.add(where + ": Service " + pod.owner.name() + "-metrics has no port 'metrics' " + port);
            }
        }
        Map<String, Object> monitor = files.k8s("k8s/optional").stream().filter(o -> o.kind().equals("ServiceMonitor"))
                .findFirst().orElseThrow(() -> new AssertionError("k8s/optional has no ServiceMonitor")).body();
        assertEquals("metrics", path(DeployFiles.list(path(monitor, "spec", "endpoints")).get(0), "port"));

        // compose: Prometheus scrapes each service at the port it serves.
        String prometheus = DeployFiles.read(files.deploy.resolve("compose").resolve("prometheus.yml"));
        for (ServiceSettings s : composeSettings()) {
            String target = s.where().substring(s.where().lastIndexOf(' ') + 1) + ":"
                    + s.values().getOrDefault(OpsSettings.METRICS_PORT, "0");
            if (!prometheus.contains("\"" + target + "\"")) {
                problems.add("compose/prometheus.yml does not scrape " + target + " (" + s.where() + ")");
            }
        }
        assertNoProblems(problems);
    }

    /** The checks above can fail: a misspelt key, a Kafka typo, a bad value and a missing required option are each reported. */
    @Test
    void theChecksReportABogusKeyABadValueAndAMissingRequiredOption() throws IOException {
        ServiceSettings ingest = composeSettings().stream().filter(s -> s.kind() == ServiceKind.INGEST).findFirst().orElseThrow();
        assertNoProblems(ingest.problems());

        List<String> misspelt = with(ingest, "tokenizer.max.lenght", "64").problems();
        assertEquals(1, misspelt.size(), misspelt.toString());
        assertTrue(misspelt.get(0).contains("unknown ingest option 'tokenizer.max.lenght'"), misspelt.get(0));

        List<String> kafkaTypo = with(ingest, "kafka.securty.protocol", "SASL_SSL").problems();
        assertTrue(kafkaTypo.size() == 1 && kafkaTypo.get(0).contains("kafka.securty.protocol"), kafkaTypo.toString());

        List<String> badValue = with(ingest, "tokenizer.max.length", "lots").problems();
        assertTrue(badValue.size() == 1 && badValue.get(0).contains("tokenizer.max.length"), badValue.toString());

        List<String> weakened = with(ingest, "kafka.isolation.level", "read_uncommitted").problems();
        assertTrue(weakened.size() == 1 && weakened.get(0).contains("isolation.level"), weakened.toString());

        List<String> badProtocol = with(ingest, "kafka.security.protocol", "SASL_SSSL").problems();
        assertTrue(badProtocol.size() == 1 && badProtocol.get(0).contains("security.protocol"), badProtocol.toString());

        // An option without a default (none of ours has one today) must be set.
        org.apache.kafka.common.config.ConfigDef needing = new org.apache.kafka.common.config.ConfigDef()
                .define("needed", org.apache.kafka.common.config.ConfigDef.Type.STRING,
                        org.apache.kafka.common.config.ConfigDef.Importance.HIGH, "an option without a default");
        List<String> missing = ServiceSettings.optionProblems(needing, "some", Map.of(), Map.of(), "here");
        assertEquals(List.of("here: required some option 'needed' is not set"), missing);
        assertNoProblems(ServiceSettings.optionProblems(needing, "some", Map.of("needed", "x"), Map.of(), "here"));
    }

    private static ServiceSettings with(ServiceSettings s, String key, String value) {
        Map<String, String> values = new LinkedHashMap<>(s.values());
        values.put(key, value);
        Map<String, String> origins = new LinkedHashMap<>(s.origins());
        origins.put(key, "the test");
        return new ServiceSettings(s.kind(), s.where(), values, origins, s.signingKeySource(), s.instances());
    }
}
