package dev.sentiflow.schemas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    private static final Map<String, Object> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("labels", "a,b");
        OPTIONS.put("kafka.security.protocol", "SASL_SSL");
        OPTIONS.put("kafka.sasl.mechanism", "PLAIN");
        OPTIONS.put("kafka.request.timeout.ms", "20000");
        OPTIONS.put("kafka.admin.request.timeout.ms", "5000");
        OPTIONS.put("kafka.producer.max.request.size", "2097152");
        OPTIONS.put("kafka.consumer.max.poll.records", "100");
        OPTIONS.put("kafka.main.consumer.fetch.max.bytes", "1000");
        OPTIONS.put("kafka.commit.interval.ms", "50");
    }

    @Test
    void everyClientGetsTheCommonSettingsAndItsOwn() {
        var settings = KafkaClientSettings.fromOptions(OPTIONS, Set.of("labels"));
        Map<String, Object> admin = settings.admin();
        assertEquals("SASL_SSL", admin.get("security.protocol"));
        assertEquals("PLAIN", admin.get("sasl.mechanism"));
        assertEquals("5000", admin.get("request.timeout.ms"), "kafka.admin.X wins over kafka.X");
        assertFalse(admin.containsKey("max.request.size"));
        assertFalse(admin.containsKey("labels"), "service options are not client settings");

        Map<String, Object> producer = settings.producer();
        assertEquals("SASL_SSL", producer.get("security.protocol"));
        assertEquals("20000", producer.get("request.timeout.ms"));
        assertEquals("2097152", producer.get("max.request.size"));
        assertFalse(producer.containsKey("max.poll.records"));

        Map<String, Object> consumer = settings.consumer();
        assertEquals("100", consumer.get("max.poll.records"));
        assertEquals("SASL_SSL", consumer.get("security.protocol"));
        assertFalse(consumer.containsKey("fetch.max.bytes"), "main.consumer.* is for Streams to apply");
    }

    @Test
    void streamsGetsItsOwnPrefixesForKindSpecificSettings() {
        Map<String, Object> streams = KafkaClientSettings.fromOptions(OPTIONS, Set.of("labels")).streams();
        assertEquals("SASL_SSL", streams.get("security.protocol"));
        assertEquals("20000", streams.get("request.timeout.ms"));
        assertEquals("5000", streams.get("admin.request.timeout.ms"));
        assertEquals("2097152", streams.get("producer.max.request.size"));
        assertEquals("100", streams.get("consumer.max.poll.records"));
        assertEquals("1000", streams.get("main.consumer.fetch.max.bytes"));
        assertEquals("50", streams.get("commit.interval.ms"));
        assertFalse(streams.containsKey("labels"));
    }

    @Test
    void overridesThatWouldWeakenExactlyOnceAreRefusedNamingTheKey() {
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("kafka.processing.guarantee", "at_least_once"),
                Map.entry("kafka.enable.idempotence", "false"),
                Map.entry("kafka.producer.enable.idempotence", "FALSE"),
                Map.entry("kafka.isolation.level", "read_uncommitted"),
                Map.entry("kafka.consumer.isolation.level", "read_uncommitted"),
                Map.entry("kafka.main.consumer.isolation.level", "read_uncommitted"),
                Map.entry("kafka.application.id", "other"),
                Map.entry("kafka.bootstrap.servers", "x:9092"),
                Map.entry("kafka.admin.bootstrap.servers", "x:9092"),
                Map.entry("kafka.num.stream.threads", "4"))) {
            ConfigException e = assertThrows(ConfigException.class, () -> KafkaClientSettings.fromOptions(
                    Map.of(bad.getKey(), bad.getValue()), Set.of("num.stream.threads")), bad.toString());
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
        // The safe values pass.
        var ok = KafkaClientSettings.fromOptions(Map.of("kafka.processing.guarantee", "exactly_once_v2",
                "kafka.isolation.level", "read_committed", "kafka.enable.idempotence", "true"), Set.of());
        assertEquals("read_committed", ok.consumer().get("isolation.level"));
    }

    @Test
    void plainClientPropertiesAreCheckedTheSameWay() {
        var settings = KafkaClientSettings.fromClientProperties(Map.of("security.protocol", "SSL",
                "producer.linger.ms", "5"));
        assertEquals(Map.of("security.protocol", "SSL", "linger.ms", "5"), settings.producer());
        ConfigException e = assertThrows(ConfigException.class,
                () -> KafkaClientSettings.fromClientProperties(Map.of("enable.idempotence", "false")));
        assertTrue(e.getMessage().contains("enable.idempotence"), e.getMessage());
    }

    @Test
    void unknownOptionsAreRefusedNamingTheKeyAndWhereItCameFrom() {
        var definition = SchemaRegistrySettings.define(new org.apache.kafka.common.config.ConfigDef());
        UnknownOptions.reject(definition, Map.of("schema.registry.url", "http://x", "kafka.anything", "1"), Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> UnknownOptions.reject(definition,
                Map.of("schema.registry.ur", "http://x"), Map.of("schema.registry.ur",
                        "environment variable SENTIFLOW_SCHEMA_REGISTRY_UR")));
        assertTrue(e.getMessage().contains("unknown option 'schema.registry.ur'")
                && e.getMessage().contains("SENTIFLOW_SCHEMA_REGISTRY_UR"), e.getMessage());
    }
}
