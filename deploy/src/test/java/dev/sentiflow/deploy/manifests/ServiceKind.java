package dev.sentiflow.deploy.manifests;

import dev.sentiflow.inference.InferenceApp;
import dev.sentiflow.inference.InferenceConfig;
import dev.sentiflow.ingest.IngestApp;
import dev.sentiflow.ingest.IngestConfig;
import dev.sentiflow.trainer.TrainerApp;
import dev.sentiflow.trainer.config.TrainerConfig;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/** The three services as the deployment files name them, with their own option declarations. */
enum ServiceKind {

    INGEST("ingest", IngestApp.class.getName(), IngestConfig.DEFINITION, IngestConfig::new,
            Optional.of(IngestConfig.REVIEWS_TOPIC), Optional.of(IngestConfig.STREAM_THREADS)),
    TRAINER("trainer", TrainerApp.class.getName(), TrainerConfig.DEFINITION, TrainerConfig::new,
            Optional.empty(), Optional.empty()),
    INFERENCE("inference", InferenceApp.class.getName(), InferenceConfig.DEFINITION, InferenceConfig::new,
            Optional.of(InferenceConfig.TOKENIZED_TOPIC), Optional.of(InferenceConfig.STREAM_THREADS));

    final String word;
    final String mainClass;
    final ConfigDef definition;
    final BiFunction<Map<String, String>, Map<String, String>, AbstractConfig> construct;
    /** Kafka Streams services: the option naming the input topic, whose partitions bound the threads. */
    final Optional<String> inputTopicOption;
    final Optional<String> threadsOption;

    ServiceKind(String word, String mainClass, ConfigDef definition,
            BiFunction<Map<String, String>, Map<String, String>, AbstractConfig> construct,
            Optional<String> inputTopicOption, Optional<String> threadsOption) {
        this.word = word;
        this.mainClass = mainClass;
        this.definition = definition;
        this.construct = construct;
        this.inputTopicOption = inputTopicOption;
        this.threadsOption = threadsOption;
    }

    boolean streams() {
        return inputTopicOption.isPresent();
    }

    /** The value a service runs with: the setting, else the option's default (null when it has none). */
    String effective(Map<String, String> settings, String option) {
        if (settings.containsKey(option)) {
            return settings.get(option);
        }
        ConfigDef.ConfigKey key = definition.configKeys().get(option);
        if (key == null || !key.hasDefault() || key.defaultValue == null) {
            return null;
        }
        Object value = key.defaultValue;
        return value instanceof java.util.List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                : String.valueOf(value);
    }

    static ServiceKind byWord(String word) {
        for (ServiceKind kind : values()) {
            if (kind.word.equals(word)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("no service called " + word);
    }
}
