package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file producer takes the same client and registry settings as the services, from --config. */
class ReviewFileProducerTest {

    @Test
    void aConfigFileGivesProducerSettingsAndRegistryOptions(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("client.properties");
        Files.writeString(config, """
                bootstrap.servers=broker-1:9093
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                producer.linger.ms=5
                schema.registry.url=https://registry:8081
                schema.registry.basic.auth.user.info=svc:secret
                """);
        var options = ReviewFileProducer.Options.parse(new String[] {"--file", "x.csv", "--config", config.toString()});
        assertEquals("SASL_SSL", options.producerSettings().get("security.protocol"));
        assertEquals("PLAIN", options.producerSettings().get("sasl.mechanism"));
        assertEquals("5", options.producerSettings().get("linger.ms"));
        assertEquals("https://registry:8081", options.registryUrl());
        assertEquals("svc:secret", options.registrySettings().get("schema.registry.basic.auth.user.info"));
        // The brokers too, as the local stack's client.properties names them (once refused as a client setting).
        assertEquals("broker-1:9093", options.bootstrapServers());
        // The command line wins over the file.
        var explicit = ReviewFileProducer.Options.parse(new String[] {"--file", "x.csv", "--config", config.toString(),
            "--registry", "http://other:8081", "--bootstrap-servers", "other:9092"});
        assertEquals("http://other:8081", explicit.registryUrl());
        assertEquals("other:9092", explicit.bootstrapServers());
    }

    @Test
    void unknownRegistryOptionsAndUnsafeSettingsAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.properties");
        Files.writeString(config, "schema.registry.basic.auth.user=svc:secret\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReviewFileProducer.Options.parse(new String[] {"--file", "x.csv", "--config", config.toString()}));
        assertTrue(e.getMessage().contains("'schema.registry.basic.auth.user'"), e.getMessage());
        Files.writeString(config, "enable.idempotence=false\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> ReviewFileProducer.Options.parse(new String[] {"--file", "x.csv", "--config", config.toString()}));
        assertTrue(e.getMessage().contains("enable.idempotence"), e.getMessage());
    }

    @Test
    void aBadRowAnywhereStopsTheFileBeforeAnyRowIsSent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("reviews.csv");
        java.nio.file.Files.writeString(file, "id,text,rating\na,good tea,5\nb,fine,4.0\nc,so-so,2.5\nd,bad,1\n");
        // No broker at this address: sending anything would fail differently (and only after a timeout).
        var options = ReviewFileProducer.Options.parse(new String[] {"--file", file.toString(),
                "--bootstrap-servers", "127.0.0.1:1", "--registry", "http://127.0.0.1:1"});
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ReviewFileProducer.produce(options));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(":4: rating '2.5'")
                && e.getMessage().contains("not a whole number"), e.getMessage());
    }

    @Test
    void onlyWholeStarsAreRatings() {
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.of(4), ReviewFileProducer.wholeStars("4.0"));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.of(5), ReviewFileProducer.wholeStars(" 5"));
        for (String bad : new String[] {"2.5", "NaN", "Infinity", "1e12", "five"}) {
            org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.empty(), ReviewFileProducer.wholeStars(bad),
                    bad);
        }
    }
}
