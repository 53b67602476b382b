package dev.sentiflow.trainer.catalog;

import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssemblyResult;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.checkpoint.VersionSequence;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.schemas.topic.ReadToEnd;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@code models} topic says, read once to its end at start: per model name the champion
 * (the newest complete, valid version) with its checkpoint bytes, and the next version to publish.
 * The topic is the source of truth, so a restarted trainer continues the numbering and trains from
 * the champion it had published, whatever happened to its process. Afterwards the trainer records
 * its own publications here ({@link #published}), being the only writer of the names it owns.
 */
public final class ModelsCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ModelsCatalog.class);

    private final VersionSequence versions = new VersionSequence();
    private final Map<String, AssembledCheckpoint> champions = new HashMap<>();
    private long undecodable;

    /**
     * Reads every partition from the beginning to the end offsets seen at the start.
     *
     * @param consumer a {@code read_committed} consumer of raw bytes, not subscribed to anything
     */
    public static ModelsCatalog read(Consumer<byte[], byte[]> consumer, String topic,
            RecordDecoder<ModelCheckpoint> decoder, CheckpointAssembler assembler, Duration timeout) {
        ModelsCatalog catalog = new ModelsCatalog();
        long records = ReadToEnd.read(consumer, topic, timeout, r -> {
            try {
                catalog.take(topic, r, decoder, assembler);
                return true;
            } catch (RegistryUnavailableException e) {
                LOG.warn("models topic {}: the schema registry does not answer ({})", topic, e.getMessage());
                return false;
            }
        }).recordsOrThrow(topic, timeout);
        consumer.unsubscribe();
        LOG.info("models topic {}: {} records, champions {}", topic, records, catalog.champions.keySet().stream()
                .collect(Collectors.toMap(n -> n, n -> "v" + catalog.champions.get(n).version())));
        return catalog;
    }

    private void take(String topic, ConsumerRecord<byte[], byte[]> r, RecordDecoder<ModelCheckpoint> decoder,
            CheckpointAssembler assembler) {
        ModelCheckpoint chunk = null;
        if (r.value() != null) {
            var decoded = decoder.decode(topic, r.value());
            if (decoded instanceof RecordDecoder.Bad<ModelCheckpoint> bad) {
                undecodable++;
                LOG.warn("skipping undecodable record {}-{}@{} on the models topic: {}", topic, r.partition(),
                        r.offset(), bad.detail());
                return;
            }
            chunk = ((RecordDecoder.Ok<ModelCheckpoint>) decoded).value();
        }
        AssemblyResult result = assembler.accept(chunk);
        if (chunk != null) {
            versions.observe(chunk, result);
        }
        if (result instanceof AssemblyResult.Complete c) {
            champions.put(c.checkpoint().name(), c.checkpoint());
        } else if (result instanceof AssemblyResult.Rejected rejected) {
            LOG.warn("models topic: {} ({})", rejected.detail(), rejected.problem());
        }
    }

    /** Records on the topic that were not a {@code ModelCheckpoint} (skipped). */
    public long undecodable() {
        return undecodable;
    }

    /** The newest complete version of {@code name}, if any. */
    public Optional<AssembledCheckpoint> champion(String name) {
        return Optional.ofNullable(champions.get(name));
    }

    public long nextVersion(String name) {
        return versions.nextVersion(name);
    }

    /** Chunks of the newest version of {@code name} (0 when none): the tombstones a smaller successor writes. */
    public int chunkCount(String name) {
        return versions.chunkCount(name);
    }

    /** Records a version this trainer just committed. */
    public void published(AssembledCheckpoint checkpoint, int chunkCount) {
        versions.observe(checkpoint.name(), checkpoint.version(), chunkCount, true);
        champions.put(checkpoint.name(), checkpoint);
    }
}
