package dev.sentiflow.schemas.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Reads a service's settings from its command line: optional {@code .properties} files, then
 * {@code key=value} arguments, then {@code SENTIFLOW_*} environment variables
 * ({@code SENTIFLOW_BOOTSTRAP_SERVERS} → {@code bootstrap.servers}); later sources win. Each key's
 * origin is kept so that an unknown one can be reported where the user can find it.
 */
public final class ConfigSources {

    /**
     * Variables the project's scripts and other modules read themselves; they are not service options.
     */
    public static final Set<String> NOT_OPTIONS = Set.of("SENTIFLOW_CACHE_DIR", "SENTIFLOW_REQUIRE_INTEROP",
            "SENTIFLOW_DEVICE", "SENTIFLOW_JAVA_OPTS", "SENTIFLOW_REQUIRE_CHROMIUM", "SENTIFLOW_CHROMIUM");

    /** Whether the environment variable {@code name} sets a service option ({@code SENTIFLOW_BOOTSTRAP_SERVERS}). */
    public static boolean isOptionVariable(String name) {
        return name.startsWith("SENTIFLOW_") && !NOT_OPTIONS.contains(name);
    }

    /** The settings and, per key, where it came from. */
    public record Loaded(Map<String, String> values, Map<String, String> origins) {
    }

    private ConfigSources() {
    }

    public static Map<String, String> fromArgs(String[] args, Map<String, String> env) throws IOException {
        return load(args, env).values();
    }

    public static Loaded load(String[] args, Map<String, String> env) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.endsWith(".properties") && !arg.contains("=")) {
                Properties props = new Properties();
                try (Reader in = Files.newBufferedReader(Path.of(arg))) {
                    props.load(in);
                } catch (IOException e) {
                    // A bad configuration like any other: the services answer it with one line and exit code 2.
                    throw new IllegalArgumentException("cannot read settings file " + arg + " (" + e + ")", e);
                }
                props.stringPropertyNames().forEach(k -> {
                    values.put(k, props.getProperty(k));
                    origins.put(k, "file " + arg);
                });
            } else if (arg.contains("=")) {
                int eq = arg.indexOf('=');
                String key = arg.substring(0, eq).trim();
                values.put(key, arg.substring(eq + 1).trim());
                origins.put(key, "command-line argument '" + key + "=...'");
            } else {
                throw new IllegalArgumentException("argument '" + arg + "' is neither a .properties file nor key=value");
            }
        }
        env.forEach((name, value) -> {
            if (isOptionVariable(name)) {
                String key = name.substring("SENTIFLOW_".length()).toLowerCase().replace('_', '.');
                values.put(key, value);
                origins.put(key, "environment variable " + name);
            }
        });
        return new Loaded(values, origins);
    }
}
