package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.schemas.config.ConfigMarkdown;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class IngestConfigTest {

    @Test
    void defaultsRunExactlyOnceAndPassKafkaOverridesThrough() {
        Properties props = new IngestConfig(Map.of("kafka.commit.interval.ms", "50")).streamsProperties();
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("50", props.get("commit.interval.ms"));
        assertEquals("sentiflow-ingest", props.get(StreamsConfig.APPLICATION_ID_CONFIG));
    }

    @Test
    void badValuesNameTheOption() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new IngestConfig(Map.of("rating.mapping", "1-2:negative,3-5:great")));
        assertTrue(e.getMessage().contains("rating.mapping") && e.getMessage().contains("'great'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new IngestConfig(Map.of("text.max.bytes", "0")));
        assertTrue(e.getMessage().contains("text.max.bytes"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new IngestConfig(Map.of("labels", "a,A")));
        assertTrue(e.getMessage().contains("labels"), e.getMessage());
    }

    @Test
    void argumentsAndEnvironmentOverrideInOrder() throws Exception {
        Path file = Files.createTempFile("ingest", ".properties");
        Files.writeString(file, "labels=bad,good\ntokenizer.max.length=64\n");
        Map<String, String> values = ConfigSources.fromArgs(new String[] {file.toString(), "tokenizer.max.length=32"},
                Map.of("SENTIFLOW_BOOTSTRAP_SERVERS", "broker:9092", "HOME", "/root"));
        assertEquals(Map.of("labels", "bad,good", "tokenizer.max.length", "32", "bootstrap.servers", "broker:9092"),
                values);
        assertThrows(IllegalArgumentException.class, () -> ConfigSources.fromArgs(new String[] {"oops"}, Map.of()));
    }

    @Test
    void readmeTableIsGeneratedFromTheDeclarations() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String table = ConfigMarkdown.table(IngestConfig.DEFINITION);
        assertTrue(readme.contains(table), "README.md's ingest configuration table is out of date; replace it with:\n"
                + table);
    }
}
