package dev.sentiflow.deploy.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command line of a child JVM that runs one of the classes on the launcher's own class path
 * (the broker, the storage tool, the services): the same {@code java} and class path, its own heap,
 * and the launcher's logging and DJL settings carried over so every child logs and loads alike.
 */
public final class JavaCommand {

    /** System properties a child inherits: log format and levels, DJL's offline mode and cache. */
    private static final List<String> INHERITED_PREFIXES = List.of("org.slf4j.simpleLogger.", "ai.djl.");

    private JavaCommand() {
    }

    /**
     * For a child that runs the model beside another one on the same cores: PyTorch's default of one
     * thread per core in each oversubscribes them (a round trained at 6 samples/s while inference scored
     * a backlog, against about 40 alone).
     */
    public static final Map<String, String> ONE_TORCH_THREAD = Map.of("ai.djl.pytorch.num_threads", "1",
            "ai.djl.pytorch.num_interop_threads", "1");

    public static List<String> of(String heap, String mainClass, List<String> args) {
        return of(heap, Map.of(), mainClass, args);
    }

    /** @param properties extra {@code -D} settings for this child, winning over inherited ones */
    public static List<String> of(String heap, Map<String, String> properties, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        Map<String, String> system = new TreeMap<>();
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> INHERITED_PREFIXES.stream().anyMatch(name::startsWith))
                .forEach(name -> system.put(name, System.getProperty(name)));
        system.putAll(properties);
        system.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
