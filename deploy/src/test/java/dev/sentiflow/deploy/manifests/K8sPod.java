package dev.sentiflow.deploy.manifests;

import static dev.sentiflow.deploy.manifests.DeployFiles.list;
import static dev.sentiflow.deploy.manifests.DeployFiles.path;

import dev.sentiflow.schemas.config.ConfigSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first container of a Deployment's or Job's pod, with the files its volumes mount resolved to
 * the ConfigMap and Secret keys they come from.
 */
final class K8sPod {

    /** A file in the container and the object key it is. */
    record MountedFile(String description, String content) {
    }

    final DeployFiles.K8sObject owner;
    final Map<String, Object> podSpec;
    final Map<String, Object> container;
    private final Map<String, DeployFiles.K8sObject> configMaps;
    private final Map<String, DeployFiles.K8sObject> secrets;

    @SuppressWarnings("unchecked")
    K8sPod(DeployFiles.K8sObject owner, Map<String, DeployFiles.K8sObject> configMaps,
            Map<String, DeployFiles.K8sObject> secrets) {
        this.owner = owner;
        this.podSpec = (Map<String, Object>) path(owner.body(), "spec", "template", "spec");
        this.container = list(podSpec.get("containers")).get(0);
        this.configMaps = configMaps;
        this.secrets = secrets;
    }

    /** The object key a path in the container is mounted from, if a volume mounts it. */
    Optional<MountedFile> file(String file) {
        for (Map<String, Object> mount : list(container.get("volumeMounts"))) {
            String mountPath = String.valueOf(mount.get("mountPath"));
            if (!file.startsWith(mountPath.endsWith("/") ? mountPath : mountPath + "/")) {
                continue;
            }
            String relative = file.substring(mountPath.length()).replaceFirst("^/", "");
            Map<String, Object> volume = list(podSpec.get("volumes")).stream()
                    .filter(v -> String.valueOf(v.get("name")).equals(mount.get("name"))).findFirst().orElse(null);
            if (volume == null) {
                return Optional.empty();
            }
            DeployFiles.K8sObject source;
            List<Map<String, Object>> items;
            if (volume.get("configMap") instanceof Map<?, ?> cm) {
                source = configMaps.get(String.valueOf(cm.get("name")));
                items = list(cm.get("items"));
            } else if (volume.get("secret") instanceof Map<?, ?> secret) {
                source = secrets.get(String.valueOf(secret.get("secretName")));
                items = list(secret.get("items"));
            } else {
                return Optional.empty();
            }
            if (source == null) {
                return Optional.empty();
            }
            String key = relative;
            if (!items.isEmpty()) {
                key = items.stream().filter(i -> relative.equals(String.valueOf(i.get("path"))))
                        .map(i -> String.valueOf(i.get("key"))).findFirst().orElse(null);
            }
            String content = key == null ? null : DeployFiles.data(source).get(key);
            if (content != null) {
                return Optional.of(new MountedFile(source.kind() + " " + source.name() + " key " + key, content));
            }
        }
        return Optional.empty();
    }

    /** The value of an env entry and where it comes from ("Secret NAME key KEY" or "inline"). */
    record EnvValue(String value, String source) {
    }

    Map<String, EnvValue> env() {
        Map<String, EnvValue> env = new LinkedHashMap<>();
        for (Map<String, Object> entry : list(container.get("env"))) {
            String name = String.valueOf(entry.get("name"));
            if (entry.containsKey("value")) {
                env.put(name, new EnvValue(String.valueOf(entry.get("value")), "inline"));
                continue;
            }
            for (String ref : List.of("secretKeyRef", "configMapKeyRef")) {
                if (path(entry, "valueFrom", ref) instanceof Map<?, ?> keyRef) {
                    String objectName = String.valueOf(keyRef.get("name"));
                    String key = String.valueOf(keyRef.get("key"));
                    DeployFiles.K8sObject object = (ref.equals("secretKeyRef") ? secrets : configMaps).get(objectName);
                    String value = object == null ? null : DeployFiles.data(object).get(key);
                    if (value == null) {
                        throw new IllegalStateException(owner.where(Path.of("")) + ": env " + name + " refers to "
                                + ref + " " + objectName + "/" + key + ", which no manifest defines");
                    }
                    env.put(name, new EnvValue(value, (ref.equals("secretKeyRef") ? "Secret " : "ConfigMap ")
                            + objectName + " key " + key));
                }
            }
        }
        return env;
    }

    List<String> args() {
        List<String> args = new ArrayList<>();
        Object raw = container.get("args");
        if (raw instanceof List<?> items) {
            items.forEach(a -> args.add(String.valueOf(a)));
        }
        return args;
    }

    /** What the service reads: its argument files (from their ConfigMap or Secret) and its environment. */
    ServiceSettings settings(ServiceKind kind, String where, Path scratch) throws IOException {
        List<String> args = new ArrayList<>();
        Map<String, String> described = new LinkedHashMap<>();
        int index = 0;
        for (String arg : args()) {
            if (arg.endsWith(".properties") && !arg.contains("=")) {
                MountedFile mounted = file(arg).orElseThrow(() -> new IllegalStateException(where + ": argument "
                        + arg + " is no file that a ConfigMap or Secret volume of the pod mounts"));
                Path copy = scratch.resolve(String.valueOf(index++)).resolve(Path.of(arg).getFileName());
                Files.createDirectories(copy.getParent());
                Files.writeString(copy, mounted.content());
                args.add(copy.toString());
                described.put(copy.toString(), arg + " (" + mounted.description() + ")");
            } else {
                args.add(arg);
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        String signingSource = null;
        for (Map.Entry<String, EnvValue> e : env().entrySet()) {
            env.put(e.getKey(), e.getValue().value());
            if (e.getKey().equals("SENTIFLOW_CHECKPOINT_SIGNING_KEY")) {
                signingSource = e.getValue().source();
            }
        }
        ConfigSources.Loaded loaded = ConfigSources.load(args.toArray(String[]::new), env);
        Map<String, String> origins = new LinkedHashMap<>();
        loaded.origins().forEach((key, origin) -> {
            String text = origin;
            for (Map.Entry<String, String> d : described.entrySet()) {
                text = text.replace(d.getKey(), d.getValue());
            }
            origins.put(key, text);
        });
        if (signingSource == null && loaded.values().containsKey("checkpoint.signing.key")) {
            signingSource = "inline: " + origins.get("checkpoint.signing.key");
        }
        Object replicas = path(owner.body(), "spec", "replicas");
        return new ServiceSettings(kind, where, loaded.values(), origins, signingSource,
                replicas == null ? 1 : Integer.parseInt(String.valueOf(replicas)));
    }
}
