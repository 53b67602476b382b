package dev.sentiflow.schemas.config;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Names of options that more than one service declares, so a setting has one name everywhere (each
 * service still declares it once, with the doc line that fits its side), and the old names of
 * renamed options, so a refusal says what to write instead.
 */
public final class SharedOptions {

    /** Inference writes live accuracy there; the trainer reads it for drift. */
    public static final String TOPIC_METRICS_LIVE = "topic.metrics.live";
    /** Bytes a checkpoint reader holds while a version's chunks are still arriving. */
    public static final String CHECKPOINT_MAX_PENDING_BYTES = "checkpoint.max.pending.bytes";
    public static final long DEFAULT_MAX_PENDING_BYTES = 512L * 1024 * 1024;

    /** The LoRA shape: the trainer trains adapters with it, inference builds its serving block with it. */
    public static final String LORA_R = "lora.r";
    public static final String LORA_ALPHA = "lora.alpha";
    public static final String LORA_TARGETS = "lora.targets";
    public static final String LORA_MODULES_TO_SAVE = "lora.modules.to.save";

    /** The LoRA options as a service declared them. */
    public record Lora(int r, float alpha, List<String> targets, List<String> modulesToSave) {
        public static Lora of(AbstractConfig config) {
            return new Lora(config.getInt(LORA_R), config.getDouble(LORA_ALPHA).floatValue(),
                    config.getList(LORA_TARGETS), config.getList(LORA_MODULES_TO_SAVE));
        }
    }

    /**
     * Declares the four LoRA options with {@code defaults}; {@code role} ends each doc line, saying what
     * the service does with them (both services must be given the same values).
     */
    public static ConfigDef defineLora(ConfigDef def, Lora defaults, String role) {
        return def.define(LORA_R, Type.INT, defaults.r(), Range.atLeast(1), Importance.MEDIUM,
                        "LoRA rank. " + role)
                .define(LORA_ALPHA, Type.DOUBLE, (double) defaults.alpha(), Range.atLeast(0), Importance.MEDIUM,
                        "LoRA alpha (the update is scaled by alpha/r). " + role)
                .define(LORA_TARGETS, Type.LIST, String.join(",", defaults.targets()), Importance.MEDIUM,
                        "Projections the adapters adapt (PEFT target_modules: query, key, value, dense, ...). " + role)
                .define(LORA_MODULES_TO_SAVE, Type.LIST, String.join(",", defaults.modulesToSave()), Importance.LOW,
                        "Head modules the adapters carry whole (PEFT modules_to_save). " + role);
    }

    /** Old name → current name. */
    public static final Map<String, String> RENAMED = Map.of("topic.live.metrics", TOPIC_METRICS_LIVE);

    private SharedOptions() {
    }
}
