package dev.sentiflow.deploy.manifests;

import dev.sentiflow.schemas.config.ConfigSources;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reads deploy/compose and deploy/k8s into what each service instance is given. */
final class DeployFiles {

    final Path deploy;

    DeployFiles(Path deploy) {
        this.deploy = deploy;
    }

    /** The deploy module's folder: the working directory under Maven, or deploy/ under the repository root. */
    static DeployFiles locate() {
        for (Path candidate : List.of(Path.of(""), Path.of("deploy"))) {
            if (Files.isRegularFile(candidate.resolve("compose/compose.yaml"))) {
                return new DeployFiles(candidate.toAbsolutePath());
            }
        }
        throw new IllegalStateException("deploy/compose/compose.yaml not found from " + Path.of("").toAbsolutePath());
    }

    static List<Object> yamlDocuments(String text) {
        List<Object> documents = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
            if (document != null) {
                documents.add(document);
            }
        }
        return documents;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- compose ----

    Path composeFile() {
        return deploy.resolve("compose/compose.yaml");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> compose() {
        return (Map<String, Object>) yamlDocuments(read(composeFile())).get(0);
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> composeServices() {
        return (Map<String, Map<String, Object>>) compose().get("services");
    }

    /** Which of ours a compose service runs: by the Dockerfile it builds (Dockerfile.ingest, ...); null for others. */
    static ServiceKind composeKind(Map<String, Object> service) {
        Object build = service.get("build");
        if (!(build instanceof Map<?, ?> map) || map.get("dockerfile") == null) {
            return null;
        }
        String dockerfile = Path.of(String.valueOf(map.get("dockerfile"))).getFileName().toString();
        return dockerfile.startsWith("Dockerfile.") ? ServiceKind.byWord(dockerfile.substring("Dockerfile.".length())) : null;
    }

    /** The settings a compose service's container gets: its environment and env files, read as ConfigSources reads them. */
    ServiceSettings composeSettings(String name, Map<String, Object> service) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> envOrigin = new LinkedHashMap<>();
        String signingSource = null;
        for (String envFile : envFiles(service)) {
            Path file = deploy.resolve("compose").resolve(envFile);
            // The real env file holds a secret and is git-ignored; its committed template stands in for it.
            Path readable = Files.isRegularFile(file) ? file : file.resolveSibling(file.getFileName() + ".example");
            if (!Files.isRegularFile(readable)) {
                throw new IllegalStateException("compose.yaml service " + name + ": env file " + envFile
                        + " has neither itself nor a .example template in deploy/compose");
            }
            for (Map.Entry<String, String> e : envFile(readable).entrySet()) {
                env.put(e.getKey(), e.getValue());
                envOrigin.put(e.getKey(), "env file " + envFile);
                if (e.getKey().equals("SENTIFLOW_CHECKPOINT_SIGNING_KEY")) {
                    signingSource = "env file " + envFile;
                }
            }
        }
        Object environment = service.get("environment");
        if (environment instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (v == null) {
                    throw new IllegalStateException("compose.yaml service " + name + ": " + k
                            + " has no value (it would be taken from the host's environment)");
                }
                env.put(String.valueOf(k), String.valueOf(v));
                envOrigin.put(String.valueOf(k), "environment");
            });
        } else if (environment instanceof List<?> list) {
            for (Object item : list) {
                String entry = String.valueOf(item);
                int eq = entry.indexOf('=');
                if (eq < 0) {
                    throw new IllegalStateException("compose.yaml service " + name + ": " + entry + " has no value");
                }
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
                envOrigin.put(entry.substring(0, eq), "environment");
            }
        }
        if ("environment".equals(envOrigin.get("SENTIFLOW_CHECKPOINT_SIGNING_KEY"))) {
            signingSource = "inline in compose.yaml"; // ManifestsTest refuses a secret written into the file
        }
        ConfigSources.Loaded loaded = ConfigSources.load(new String[0], env);
        Map<String, String> origins = new LinkedHashMap<>();
        loaded.origins().forEach((key, origin) -> {
            String variable = origin.substring(origin.lastIndexOf(' ') + 1);
            origins.put(key, origin + " in compose.yaml service " + name + " (" + envOrigin.get(variable) + ")");
        });
        return new ServiceSettings(composeKind(service), "compose.yaml service " + name, loaded.values(), origins,
                signingSource, 1);
    }

    static List<String> envFiles(Map<String, Object> service) {
        Object envFile = service.get("env_file");
        List<String> files = new ArrayList<>();
        if (envFile instanceof String single) {
            files.add(single);
        } else if (envFile instanceof List<?> list) {
            for (Object item : list) {
                files.add(item instanceof Map<?, ?> map ? String.valueOf(map.get("path")) : String.valueOf(item));
            }
        }
        return files;
    }

    static Map<String, String> envFile(Path file) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : read(file).split("\n")) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq < 0) {
                throw new IllegalStateException(file + ": line without '=': " + line);
            }
            env.put(trimmed.substring(0, eq).trim(), trimmed.substring(eq + 1).trim());
        }
        return env;
    }

    // ---- Kubernetes ----

    /** A Kubernetes object and the file it is in. */
    record K8sObject(Path file, Map<String, Object> body) {
        String kind() {
            return String.valueOf(body.get("kind"));
        }

        String name() {
            return String.valueOf(metadata().get("name"));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> metadata() {
            return (Map<String, Object>) body.get("metadata");
        }

        String where(Path deploy) {
            return deploy.relativize(file) + " " + kind() + " " + name();
        }
    }

    List<K8sObject> k8s(String folder) throws IOException {
        List<K8sObject> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(deploy.resolve(folder))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().toList()) {
                for (Object document : yamlDocuments(read(file))) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> body = (Map<String, Object>) document;
                    objects.add(new K8sObject(file, body));
                }
            }
        }
        return objects;
    }

    /** The data of a ConfigMap ({@code data}) or Secret ({@code stringData}, else base64 {@code data}). */
    static Map<String, String> data(K8sObject object) {
        Map<String, String> data = new LinkedHashMap<>();
        if (object.kind().equals("Secret") && object.body().get("data") instanceof Map<?, ?> encoded) {
            encoded.forEach((k, v) -> data.put(String.valueOf(k),
                    new String(java.util.Base64.getDecoder().decode(String.valueOf(v)), java.nio.charset.StandardCharsets.UTF_8)));
        }
        Object plain = object.body().get(object.kind().equals("Secret") ? "stringData" : "data");
        if (plain instanceof Map<?, ?> map) {
            map.forEach((k, v) -> data.put(String.valueOf(k), String.valueOf(v)));
        }
        return data;
    }

    static Properties properties(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    static Object path(Object node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object node) {
        return node instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }
}
