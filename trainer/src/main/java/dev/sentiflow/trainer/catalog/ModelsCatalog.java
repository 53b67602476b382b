package dev.sentiflow.trainer.catalog;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.Rollout;
import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssemblyResult;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.checkpoint.VersionSequence;
import dev.sentiflow.schemas.live.RolloutLedger;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.schemas.topic.ReadToEnd;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@code models} topic says, read once to its end at start, with the rollout decisions of
 * the live-metrics topic: per model name the champion, with its checkpoint bytes, and the next
 * version to publish. The topics are the source of truth, so a restarted trainer continues the
 * numbering and trains from the champion inference serves, whatever happened to its process.
 * Afterwards the trainer records its own publications here ({@link #published}), being the only
 * writer of the names it owns, and the decisions as they are committed ({@link #decided}).
 *
 * <p>The champion is the version inference serves: the newest one published as CHAMPION or promoted
 * by a committed decision ({@link RolloutLedger}), and not rolled back; never a challenger still
 * waiting or one inference rejected. When no retained version qualifies (the one inference serves
 * was compacted away under its successor's chunk keys), the newest retained version is the champion,
 * as inference then serves it too. Per name the newest {@value #RETAINED} complete versions are kept
 * (and the champion, if older): enough for a promotion, a rejection or a rollback to move the
 * champion to a version still in memory.
 */
public final class ModelsCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ModelsCatalog.class);
    static final int RETAINED = 3;

    private final VersionSequence versions = new VersionSequence();
    private final Map<String, NavigableMap<Long, AssembledCheckpoint>> retained = new HashMap<>();
    private final Map<String, AssembledCheckpoint> champions = new HashMap<>();
    private final RolloutLedger ledger;
    private long undecodable;

    /** A catalog that takes every rollout decision (no signing key). */
    public ModelsCatalog() {
        this(java.util.Optional.empty());
    }

    /** @param verifier when present, a rollout decision without a valid signature under its key is ignored */
    public ModelsCatalog(java.util.Optional<dev.sentiflow.schemas.checkpoint.CheckpointSigner> verifier) {
        this.ledger = new RolloutLedger(verifier);
    }

    /**
     * Reads the rollout decisions on the live-metrics topic, every partition from the beginning to the
     * end offsets seen at the start; call it before {@link #readModels}, so the versions kept are chosen
     * knowing them. The consumer is left assigned at those offsets: following it from there misses
     * nothing committed since.
     *
     * @param consumer a {@code read_committed} consumer of raw bytes, not subscribed to anything
     */
    public void readDecisions(Consumer<byte[], byte[]> consumer, String topic, RecordDecoder<LiveMetrics> decoder,
            Duration timeout) {
        long[] skipped = {0};
        long records = ReadToEnd.read(consumer, topic, timeout, r -> {
            if (r.value() == null) {
                return true;
            }
            RecordDecoder.Decoded<LiveMetrics> decoded;
            try {
                decoded = decoder.decode(topic, r.value());
            } catch (RegistryUnavailableException e) {
                LOG.warn("live-metrics topic {}: the schema registry does not answer ({})", topic, e.getMessage());
                return false;
            }
            if (decoded instanceof RecordDecoder.Ok<LiveMetrics> ok) {
                decided(ok.value());
            } else {
                skipped[0]++;
            }
            return true;
        }).recordsOrThrow(topic, timeout);
        LOG.info("live-metrics topic {}: {} records, {} rollout decisions that count{}", topic, records, ledger.size(),
                skipped[0] == 0 ? "" : ", " + skipped[0] + " undecodable records skipped");
    }

    /**
     * Reads every partition of the {@code models} topic from the beginning to the end offsets seen at
     * the start.
     *
     * @param consumer a {@code read_committed} consumer of raw bytes, not subscribed to anything
     */
    public void readModels(Consumer<byte[], byte[]> consumer, String topic, RecordDecoder<ModelCheckpoint> decoder,
            CheckpointAssembler assembler, Duration timeout) {
        long records = ReadToEnd.read(consumer, topic, timeout, r -> {
            try {
                take(topic, r, decoder, assembler);
                return true;
            } catch (RegistryUnavailableException e) {
                LOG.warn("models topic {}: the schema registry does not answer ({})", topic, e.getMessage());
                return false;
            }
        }).recordsOrThrow(topic, timeout);
        consumer.unsubscribe();
        LOG.info("models topic {}: {} records, champions {}", topic, records, champions.keySet().stream()
                .collect(Collectors.toMap(n -> n, n -> "v" + champions.get(n).version())));
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
            retain(c.checkpoint());
        } else if (result instanceof AssemblyResult.Rejected rejected) {
            LOG.warn("models topic: {} ({})", rejected.detail(), rejected.problem());
        }
    }

    /** Records on the topic that were not a {@code ModelCheckpoint} (skipped). */
    public long undecodable() {
        return undecodable;
    }

    /** Every model that has a champion, in name order. */
    public java.util.SortedMap<String, AssembledCheckpoint> champions() {
        return new java.util.TreeMap<>(champions);
    }

    /** The version of {@code name} inference serves (see the class comment), if any. */
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
        retain(checkpoint);
    }

    /**
     * Takes one committed record of the live-metrics topic, in topic order. Returns a sentence when it
     * was a decision that moved the champion of its model.
     */
    public Optional<String> decided(LiveMetrics m) {
        Optional<String> refusal = ledger.refusal(m);
        if (refusal.isPresent() && ledger.refused() < 100) {
            LOG.warn("rollout decision {} v{} of model {} ignored: {} (a signing key is set)", m.getAction(),
                    m.getModelVersion(), m.getModelName(), refusal.get());
        }
        Optional<RolloutAction> counts = ledger.take(m);
        if (counts.isEmpty()) {
            return Optional.empty();
        }
        String name = m.getModelName();
        Optional<AssembledCheckpoint> before = champion(name);
        choose(name);
        Optional<AssembledCheckpoint> after = champion(name);
        if (after.map(AssembledCheckpoint::version).equals(before.map(AssembledCheckpoint::version))) {
            return Optional.empty();
        }
        return Optional.of(String.format("model %s: the champion is now v%d (was %s) after inference's %s", name,
                after.map(AssembledCheckpoint::version).orElse(0L),
                before.map(c -> "v" + c.version()).orElse("none"), m.getDecision()));
    }

    /** Rollout decisions that count, read so far. */
    public int decisions() {
        return ledger.size();
    }

    private void retain(AssembledCheckpoint checkpoint) {
        retained.computeIfAbsent(checkpoint.name(), n -> new TreeMap<>()).put(checkpoint.version(), checkpoint);
        choose(checkpoint.name());
    }

    private void choose(String name) {
        NavigableMap<Long, AssembledCheckpoint> kept = retained.get(name);
        if (kept == null || kept.isEmpty()) {
            return;
        }
        AssembledCheckpoint champion = kept.lastEntry().getValue();
        for (AssembledCheckpoint c : kept.descendingMap().values()) {
            if (ledger.serves(name, c.version(), c.header().rollout() == Rollout.CHAMPION)) {
                champion = c;
                break;
            }
        }
        champions.put(name, champion);
        while (kept.size() > RETAINED) {
            long oldest = kept.firstKey();
            if (oldest == champion.version()) {
                oldest = kept.higherKey(oldest);
            }
            kept.remove(oldest);
        }
    }
}
