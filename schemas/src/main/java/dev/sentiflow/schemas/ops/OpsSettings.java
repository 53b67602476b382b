package dev.sentiflow.schemas.ops;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Where a service serves its metrics and health probes: the two options every service declares
 * (through {@link #define}), so they have one name and one meaning everywhere.
 */
public record OpsSettings(String host, int port) {

    public static final String METRICS_PORT = "metrics.port";
    public static final String METRICS_HOST = "metrics.host";

    public static ConfigDef define(ConfigDef def) {
        return def.define(METRICS_PORT, Type.INT, 0, Range.between(0, 65535), Importance.MEDIUM,
                        "HTTP port of /metrics (Prometheus text format), /health/live and /health/ready; 0 = no "
                                + "endpoint.")
                .define(METRICS_HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Address the metrics and health endpoint listens on (0.0.0.0: every interface, as a "
                                + "container needs; 127.0.0.1: this host only).");
    }

    public static OpsSettings of(AbstractConfig config) {
        return new OpsSettings(config.getString(METRICS_HOST), config.getInt(METRICS_PORT));
    }

    public boolean enabled() {
        return port != 0;
    }
}
