package dev.sentiflow.inference;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The app's settings from its command line, in the same form as every sentiflow service: optional
 * {@code .properties} files, then {@code key=value} arguments, then {@code SENTIFLOW_*} environment
 * variables ({@code SENTIFLOW_BOOTSTRAP_SERVERS} → {@code bootstrap.servers}); later sources win.
 */
final class CommandLine {

    /** Variables with the prefix that are not settings of a service. */
    private static final java.util.Set<String> NOT_SETTINGS = java.util.Set.of("SENTIFLOW_CACHE_DIR",
            "SENTIFLOW_REQUIRE_INTEROP", "SENTIFLOW_DEVICE");

    private CommandLine() {
    }

    static Map<String, String> settings(String[] args, Map<String, String> env) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.endsWith(".properties") && !arg.contains("=")) {
                Properties props = new Properties();
                try (Reader in = Files.newBufferedReader(Path.of(arg))) {
                    props.load(in);
                }
                props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k)));
            } else if (arg.contains("=")) {
                int eq = arg.indexOf('=');
                values.put(arg.substring(0, eq).trim(), arg.substring(eq + 1).trim());
            } else {
                throw new IllegalArgumentException("argument '" + arg + "' is neither a .properties file nor key=value");
            }
        }
        env.forEach((name, value) -> {
            if (name.startsWith("SENTIFLOW_") && !NOT_SETTINGS.contains(name)) {
                values.put(name.substring("SENTIFLOW_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.'),
                        value);
            }
        });
        return values;
    }
}
