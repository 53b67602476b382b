package dev.sentiflow.testkit;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Records no service can decode, as found on real clusters: two framed in the Confluent wire format
 * with a schema id the registry does not know (written against another registry), two of random
 * bytes that do not even start with the format's magic byte. Keyed {@code poison-N}.
 */
public final class Poison {

    /** How many records {@link #send} writes. */
    public static final int COUNT = 4;

    private Poison() {
    }

    /** Writes the {@value #COUNT} records to {@code topic} (partition by key) and waits for the broker. */
    public static void send(String bootstrapServers, String topic) {
        Random random = new Random(7);
        List<byte[]> values = new ArrayList<>();
        for (int id : new int[] {987_654, 987_655}) {
            byte[] body = new byte[40];
            random.nextBytes(body);
            values.add(ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array());
        }
        for (int i = 0; i < 2; i++) {
            byte[] bytes = new byte[64];
            random.nextBytes(bytes);
            bytes[0] = 1; // not the wire format's magic byte
            values.add(bytes);
        }
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, "poison-" + i, values.get(i)));
            }
        }
    }
}
