package dev.sentiflow.schemas.config;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders a service's {@link ConfigDef} as the Markdown table in README.md, so the documentation is
 * generated from the one place each option is declared and a test can check it has not drifted.
 */
public final class ConfigMarkdown {

    private ConfigMarkdown() {
    }

    public static String table(ConfigDef definition) {
        StringBuilder out = new StringBuilder("| option | type | default | valid values | description |\n"
                + "| --- | --- | --- | --- | --- |\n");
        for (ConfigDef.ConfigKey key : new java.util.TreeMap<>(definition.configKeys()).values()) {
            out.append("| `").append(key.name).append("` | ")
                    .append(key.type.toString().toLowerCase()).append(" | ")
                    .append(defaultOf(key)).append(" | ")
                    .append(key.validator == null ? "" : escape(key.validator.toString())).append(" | ")
                    .append(escape(key.documentation)).append(" |\n");
        }
        return out.toString();
    }

    private static String defaultOf(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        Object value = key.defaultValue;
        if (value == null) {
            return "(none)"; // e.g. a password nobody should have a default for
        }
        if (value instanceof org.apache.kafka.common.config.types.Password secret) {
            // A secret's default is shown only when it is empty, which is what users need to know.
            value = secret.value().isEmpty() ? "" : "[hidden]";
        }
        if (value instanceof List<?> list) {
            value = list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        String text = String.valueOf(value);
        return text.isEmpty() ? "\"\"" : "`" + escape(text) + "`";
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
