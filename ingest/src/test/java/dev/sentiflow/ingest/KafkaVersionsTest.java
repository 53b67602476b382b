package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * Every Apache Kafka artifact on the classpath (clients, Streams, the broker of the test kit) is at
 * least 4.3.1 and all are one version: 4.3.0's Streams leaks RocksDB native memory under
 * rebalances (KAFKA-20616), and mixed versions are untested combinations.
 */
class KafkaVersionsTest {

    private static final Pattern KAFKA_JAR = Pattern.compile(
            ".*/org/apache/kafka/([^/]+)/(\\d+)\\.(\\d+)\\.(\\d+)/[^/]+\\.jar");

    @Test
    void everyKafkaJarIsOneVersionAtLeast431() {
        Map<String, String> versions = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Matcher m = KAFKA_JAR.matcher(entry.replace(File.separatorChar, '/'));
            if (m.matches()) {
                versions.put(m.group(1), m.group(2) + "." + m.group(3) + "." + m.group(4));
            }
        }
        assertTrue(versions.containsKey("kafka-clients") && versions.containsKey("kafka-streams")
                && versions.containsKey("kafka_2.13"), "expected clients, streams and the broker: " + versions);
        assertEquals(1, versions.values().stream().distinct().count(), "mixed Kafka versions: " + versions);
        String version = versions.get("kafka-clients");
        assertEquals(version, AppInfoParser.getVersion(), "the loaded kafka-clients");
        int[] v = java.util.Arrays.stream(version.split("\\.")).mapToInt(Integer::parseInt).toArray();
        assertTrue(v[0] > 4 || (v[0] == 4 && (v[1] > 3 || (v[1] == 3 && v[2] >= 1))), "Kafka " + version + " < 4.3.1");
        assertFalse(version.equals("4.3.0"));
    }
}
