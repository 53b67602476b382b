package dev.sentiflow.modeldata.weights;

import java.nio.file.Path;

/** Where converted base weights are kept between runs: {@code $SENTIFLOW_CACHE_DIR} or {@code ~/.cache/sentiflow}. */
public final class CacheDirectory {

    public static final String ENV = "SENTIFLOW_CACHE_DIR";

    private CacheDirectory() {}

    public static Path resolve() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "sentiflow");
    }
}
