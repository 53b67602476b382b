package dev.sentiflow.inference.evaluate;

import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssemblyResult;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.schemas.topic.ReadToEnd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Every whole version of one model still on the {@code models} topic, read once to its end
 * ({@code read_committed}, hash and signature checked by the {@link CheckpointAssembler}): what
 * {@code evaluate} scores. The topic is compacted, so older versions may be gone; what was refused
 * (chunks of this model, and records that are not checkpoints at all) and why is kept to be said.
 */
public record PublishedVersions(List<AssembledCheckpoint> versions, List<String> refused) {

    public static PublishedVersions read(Map<String, Object> clientSettings, String topic, String model,
            RecordDecoder<ModelCheckpoint> decoder, CheckpointAssembler assembler, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        TreeMap<Long, AssembledCheckpoint> found = new TreeMap<>();
        List<String> refused = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            ReadToEnd.read(consumer, topic, timeout, r -> {
                ModelCheckpoint chunk = null;
                if (r.value() != null) {
                    RecordDecoder.Decoded<ModelCheckpoint> decoded;
                    try {
                        decoded = decoder.decode(topic, r.value());
                    } catch (RegistryUnavailableException e) {
                        return false;
                    }
                    if (decoded instanceof RecordDecoder.Bad<ModelCheckpoint> bad) {
                        refused.add("UNDECODABLE at " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": "
                                + bad.detail());
                        return true;
                    }
                    chunk = ((RecordDecoder.Ok<ModelCheckpoint>) decoded).value();
                }
                AssemblyResult result = assembler.accept(chunk);
                if (result instanceof AssemblyResult.Complete c && c.checkpoint().name().equals(model)) {
                    found.put(c.checkpoint().version(), c.checkpoint());
                } else if (result instanceof AssemblyResult.Rejected rejected && rejected.name().equals(model)) {
                    refused.add(rejected.problem() + ": " + rejected.detail());
                }
                return true;
            }).recordsOrThrow(topic, timeout);
        }
        return new PublishedVersions(List.copyOf(found.values()), List.copyOf(refused));
    }
}
