package dev.sentiflow.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.schemas.config.ConfigMarkdown;
import dev.sentiflow.schemas.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class InferenceConfigTest {

    @Test
    void automaticThreadsShareTheCoresAmongStreamThreadsAndParallelRuns() {
        assertEquals(0, InferenceConfig.intraOpThreads(0, 1, 8), "one run at a time: ONNX Runtime's default");
        assertEquals(2, InferenceConfig.parallelRuns(0, 1, 0, 2), "one stream thread on 2 cores: two runs at once");
        assertEquals(2, InferenceConfig.parallelRuns(0, 1, 0, 16), "at most 2 automatically");
        assertEquals(1, InferenceConfig.parallelRuns(0, 4, 0, 2), "at least 1");
        assertEquals(1, InferenceConfig.parallelRuns(0, 1, 2, 2), "configured intra-op threads take the cores");
        assertEquals(2, InferenceConfig.parallelRuns(0, 1, 4, 8));
        assertEquals(3, InferenceConfig.parallelRuns(3, 4, 0, 2), "a configured number is kept");
        assertEquals(4, InferenceConfig.intraOpThreads(0, 2, 8));
        assertEquals(1, InferenceConfig.intraOpThreads(0, 2, 2));
        assertEquals(1, InferenceConfig.intraOpThreads(0, 4, 2), "at least one each");
        assertEquals(3, InferenceConfig.intraOpThreads(3, 4, 2), "a configured number is kept");
        int cores = Runtime.getRuntime().availableProcessors();
        int runsOfTwo = Math.max(1, Math.min(2, cores / 2));
        assertEquals(Math.max(1, cores / (2 * runsOfTwo)), new InferenceConfig(Map.of("num.stream.threads", "2"))
                .sessionThreads().intraOp());
        int runs = Math.max(1, Math.min(2, cores));
        assertEquals(runs, new InferenceConfig(Map.of()).parallelRuns());
        assertEquals(runs == 1 ? 0 : Math.max(1, cores / runs), new InferenceConfig(Map.of()).sessionThreads().intraOp());
        assertEquals(0, new InferenceConfig(Map.of("scoring.parallel.runs", "1")).sessionThreads().intraOp(),
                "one run at a time: ONNX Runtime's default");
    }

    @Test
    void defaultsRunExactlyOnceAndPassKafkaSettingsToStreamsAndTheModelsConsumer() {
        assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> new InferenceConfig(Map.of(
                "kafka.processing.guarantee", "at_least_once")), "exactly-once cannot be turned off");
        assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> new InferenceConfig(Map.of(
                "batch.max.recrods", "8")), "unknown keys are refused");
        InferenceConfig config = new InferenceConfig(Map.of("kafka.commit.interval.ms", "50",
                "kafka.security.protocol", "SSL", "kafka.consumer.max.poll.records", "7"));
        Properties props = config.streamsProperties();
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                "exactly-once cannot be turned off");
        assertEquals("50", props.get("commit.interval.ms"));
        assertEquals("sentiflow-inference", props.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals("SSL", config.consumerSettings().get("security.protocol"));
        assertEquals("7", config.consumerSettings().get("max.poll.records"));
        assertEquals("SSL", config.adminSettings().get("security.protocol"));
        assertEquals(null, config.adminSettings().get("max.poll.records"));
        assertEquals("localhost:9092", config.consumerSettings().get("bootstrap.servers"));
        assertEquals(32, config.batchPolicy().maxRecords());
        assertEquals(Duration.ofMillis(50), config.batchPolicy().maxWait());
        assertEquals(InferenceConfig.WithoutModel.WAIT, config.withoutModel());
        assertEquals(dev.sentiflow.modeldata.config.LoraConfig.defaults().targetedProjections(),
                config.loraConfig().targetedProjections());
        assertTrue(config.checkpointVerifier().isEmpty(), "no key = signatures not checked");
        assertTrue(new InferenceConfig(Map.of("checkpoint.signing.key", "s3cret")).checkpointVerifier().isPresent());
        assertEquals(InferenceConfig.WithoutModel.BASE_HEAD,
                new InferenceConfig(Map.of("serve.without.model", "base-head")).withoutModel());
    }

    @Test
    void badValuesNameTheOption() {
        for (var bad : java.util.List.of(Map.entry("batch.max.records", "0"), Map.entry("batch.max.records", "100000"),
                Map.entry("serve.without.model", "guess"), Map.entry("lora.targets", "nonsense"),
                Map.entry("labels", "positive,positive"), Map.entry("batch.max.wait.ms", "0"))) {
            ConfigException e = assertThrows(ConfigException.class, () -> new InferenceConfig(Map.of(bad.getKey(),
                    bad.getValue())), bad.toString());
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }

    /** A batch must fit its transaction: one record of max.length must fit the token bound, the time a quarter of it. */
    @Test
    void batchBoundsThatCouldOutliveTheTransactionAreRefused() {
        ConfigException tokens = assertThrows(ConfigException.class, () -> new InferenceConfig(Map.of("max.length",
                "512", "batch.max.tokens", "256")));
        assertTrue(tokens.getMessage().contains("batch.max.tokens") && tokens.getMessage().contains("max.length"),
                tokens.getMessage());
        ConfigException time = assertThrows(ConfigException.class, () -> new InferenceConfig(Map.of("batch.max.ms",
                "3000")));
        assertTrue(time.getMessage().contains("batch.max.ms") && time.getMessage().contains("10000"), time.getMessage());
        // A longer transaction timeout makes room for it.
        var config = new InferenceConfig(Map.of("batch.max.ms", "3000", "kafka.producer.transaction.timeout.ms", "60000"));
        assertEquals(java.time.Duration.ofSeconds(3), config.batchPolicy().maxTime());
    }

    @Test
    void argumentsAndEnvironmentOverrideInOrder() throws Exception {
        Path file = Files.createTempFile("inference", ".properties");
        Files.writeString(file, "labels=bad,good\nbatch.max.records=8\n");
        Map<String, String> values = ConfigSources.fromArgs(new String[] {file.toString(), "batch.max.records=16"},
                Map.of("SENTIFLOW_BOOTSTRAP_SERVERS", "broker:9092", "SENTIFLOW_CACHE_DIR", "/x", "HOME", "/root"));
        assertEquals(Map.of("labels", "bad,good", "batch.max.records", "16", "bootstrap.servers", "broker:9092"), values);
        assertThrows(IllegalArgumentException.class, () -> ConfigSources.fromArgs(new String[] {"oops"}, Map.of()));
    }

    @Test
    void readmeTableIsGeneratedFromTheDeclarations() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String table = ConfigMarkdown.table(InferenceConfig.DEFINITION);
        assertTrue(readme.contains(table), "inference/README.md's configuration table is out of date; replace it with:\n"
                + table);
    }
}
