package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.schemas.config.ConfigMarkdown;
import dev.sentiflow.schemas.config.ConfigSources;
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

    @Test
    void kafkaSettingsReachTheAdminClientAndStreamsWithTheirPrefixes() {
        IngestConfig config = new IngestConfig(Map.of(
                "bootstrap.servers", "broker:9093",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                "kafka.admin.request.timeout.ms", "3000",
                "kafka.producer.max.request.size", "2097152",
                "kafka.consumer.max.poll.records", "50"));
        Map<String, Object> admin = config.adminProperties();
        assertEquals("SASL_SSL", admin.get("security.protocol"));
        assertTrue(admin.containsKey("sasl.jaas.config"));
        assertEquals("3000", admin.get("request.timeout.ms"));
        assertEquals("broker:9093", admin.get("bootstrap.servers"));
        assertTrue(!admin.containsKey("max.request.size") && !admin.containsKey("max.poll.records"), admin.toString());
        // Kafka Streams' admin, producer and consumer see them the way StreamsConfig resolves its prefixes.
        StreamsConfig streams = new StreamsConfig(config.streamsProperties());
        assertEquals("SASL_SSL", streams.getAdminConfigs("c").get("security.protocol"));
        assertEquals("3000", streams.getAdminConfigs("c").get("request.timeout.ms").toString());
        assertEquals("2097152", streams.getProducerConfigs("c").get("max.request.size").toString());
        assertEquals("SASL_SSL", streams.getProducerConfigs("c").get("security.protocol"));
        assertEquals("50", streams.getMainConsumerConfigs("g", "c", 0).get("max.poll.records").toString());
        assertEquals(2_097_152, config.producerMaxRequestSize());
        assertEquals(1_048_576, new IngestConfig(Map.of()).producerMaxRequestSize());
    }

    @Test
    void noOverrideTurnsOffExactlyOnce() {
        for (String bad : new String[] {"kafka.processing.guarantee=at_least_once",
                "kafka.producer.enable.idempotence=false", "kafka.isolation.level=read_uncommitted",
                "kafka.consumer.isolation.level=read_uncommitted", "kafka.application.id=other",
                "kafka.bootstrap.servers=other:9092", "kafka.state.dir=/tmp/x"}) {
            String key = bad.substring(0, bad.indexOf('='));
            ConfigException e = assertThrows(ConfigException.class,
                    () -> new IngestConfig(Map.of(key, bad.substring(bad.indexOf('=') + 1))), bad);
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    /** A label set without negative/positive starts without a rating mapping instead of refusing the default. */
    @Test
    void anotherLabelSetStartsWithoutARatingMappingUnlessOneIsGiven() {
        LabelPolicy sources = new IngestConfig(Map.of("labels", "amazon,imdb,yelp")).labelPolicy();
        assertEquals(new LabelPolicy.Label(null), sources.decide(null, 5));
        assertEquals(new LabelPolicy.Label("yelp"), sources.decide("yelp", null));
        assertEquals(new LabelPolicy.Label(null), new IngestConfig(Map.of("rating.mapping", "none")).labelPolicy()
                .decide(null, 1));
        ConfigException e = assertThrows(ConfigException.class, () -> new IngestConfig(Map.of("labels",
                "amazon,imdb,yelp", "rating.mapping", "1-2:negative")));
        assertTrue(e.getMessage().contains("rating.mapping"), e.getMessage());
    }

    @Test
    void unknownKeysAreRefusedNamingTheKeyAndItsSource() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new IngestConfig(Map.of("tokenizer.max.lenght", "64")));
        assertTrue(e.getMessage().contains("unknown option 'tokenizer.max.lenght'"), e.getMessage());
        ConfigSources.Loaded loaded = ConfigSources.load(new String[] {"labels=a,b"}, Map.of(
                "SENTIFLOW_TEXT_MAX_BYTE", "5", "SENTIFLOW_CACHE_DIR", "/c", "SENTIFLOW_DEVICE", "cpu",
                "SENTIFLOW_JAVA_OPTS", "-Xmx1g", "SENTIFLOW_REQUIRE_INTEROP", "1"));
        e = assertThrows(ConfigException.class, () -> new IngestConfig(loaded.values(), loaded.origins()));
        assertTrue(e.getMessage().contains("'text.max.byte'")
                && e.getMessage().contains("environment variable SENTIFLOW_TEXT_MAX_BYTE"), e.getMessage());
        // The project's own variables are not options, and env-derived kafka.* settings are fine.
        ConfigSources.Loaded fine = ConfigSources.load(new String[0], Map.of("SENTIFLOW_CACHE_DIR", "/c",
                "SENTIFLOW_DEVICE", "cpu", "SENTIFLOW_JAVA_OPTS", "-Xmx1g", "SENTIFLOW_REQUIRE_INTEROP", "1",
                "SENTIFLOW_REQUIRE_CHROMIUM", "true", "SENTIFLOW_KAFKA_SECURITY_PROTOCOL", "SSL"));
        assertEquals("SSL", new IngestConfig(fine.values(), fine.origins()).adminProperties().get("security.protocol"));
    }

    @Test
    void registryCredentialsAreDeclaredAsPasswords() {
        assertEquals(org.apache.kafka.common.config.ConfigDef.Type.PASSWORD,
                IngestConfig.DEFINITION.configKeys().get("schema.registry.basic.auth.user.info").type);
        IngestConfig config = new IngestConfig(Map.of("schema.registry.basic.auth.user.info", "u:p"));
        assertEquals("[hidden]", config.getPassword("schema.registry.basic.auth.user.info").toString());
        assertEquals(15_000, config.shutdownTimeout().toMillis());
    }
}
