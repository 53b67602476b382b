package dev.sentiflow.inference.models;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.Rollout;
import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.inference.rollout.RolloutApplier;
import dev.sentiflow.modeldata.checkpoint.CheckpointException;
import dev.sentiflow.modeldata.checkpoint.LoraConfigJson;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssemblyResult;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.checkpoint.CheckpointHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns records of the {@code models} topic into served versions: chunks go to the
 * {@link CheckpointAssembler} (hash, signature), each whole checkpoint is checked against the serving
 * identity, decoded, verified and staged ({@link ServedVersions}), then offered to the
 * {@link ModelRegistry}, which swaps it in if it is newer. Whatever is wrong with a checkpoint, it
 * costs one WARN line and a count, and the version already served keeps serving. Never throws for
 * bad input. Runs on the follower's thread only (the assembler is single-threaded).
 */
public final class CheckpointIntake {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointIntake.class);

    private final CheckpointAssembler assembler;
    private final ServedVersions versions;
    private final ModelRegistry registry;
    private final RolloutApplier rollouts;
    private final AtomicLong swaps = new AtomicLong();
    private final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();

    public CheckpointIntake(CheckpointAssembler assembler, ServedVersions versions, ModelRegistry registry) {
        this(assembler, versions, registry, new RolloutApplier(registry, assembler.verifier()));
    }

    /** @param rollouts the committed rollout decisions read so far (fed by the same follower thread) */
    public CheckpointIntake(CheckpointAssembler assembler, ServedVersions versions, ModelRegistry registry,
            RolloutApplier rollouts) {
        this.assembler = assembler;
        this.versions = versions;
        this.registry = registry;
        this.rollouts = rollouts;
    }

    /** The committed rollout decisions this intake serves by. */
    public RolloutApplier rollouts() {
        return rollouts;
    }

    /** Takes one record value (null = tombstone) read at {@code source} (topic-partition@offset). */
    public void accept(ModelCheckpoint chunk, String source) {
        AssemblyResult result;
        try {
            result = assembler.accept(chunk);
        } catch (RuntimeException e) {
            refuse("INVALID_CHUNK", chunk == null ? "?" : chunk.getName(), source, "cannot read the chunk: " + e);
            return;
        }
        if (result instanceof AssemblyResult.Rejected rejected) {
            refuse(rejected.problem().name(), rejected.name(), source, rejected.detail());
        } else if (result instanceof AssemblyResult.Complete complete) {
            load(complete.checkpoint(), source);
        }
    }

    /** A record whose bytes are not a ModelCheckpoint at all. */
    public void undecodable(String source, String problem) {
        refuse("UNDECODABLE", "?", source, problem);
    }

    private void load(AssembledCheckpoint checkpoint, String source) {
        String where = checkpoint.name() + " v" + checkpoint.version() + " at " + source;
        List<String> problems = headerProblems(checkpoint.header(), versions.identity());
        if (!problems.isEmpty()) {
            refuse("WRONG_IDENTITY", checkpoint.name(), source, String.join("; ", problems));
            return;
        }
        long begin = System.nanoTime();
        ServedVersion version;
        try {
            version = versions.fromCheckpoint(checkpoint.name(), checkpoint.version(), checkpoint.sha256(),
                    checkpoint.payload(), where);
        } catch (CheckpointException e) {
            refuse("INVALID_CHECKPOINT", checkpoint.name(), source, e.getMessage());
            return;
        } catch (RuntimeException e) {
            refuse("LOAD_FAILED", checkpoint.name(), source, "could not build it: " + e);
            return;
        } catch (OutOfMemoryError e) {
            // The big allocations of a load (weights, graph) fail first and are garbage now: the served
            // versions are untouched and keep serving; saying so beats a follower that stops.
            refuse("LOAD_FAILED", checkpoint.name(), source, "not enough memory to build it (" + e.getMessage()
                    + "); give the JVM more heap (-Xmx) to serve it");
            return;
        }
        if (!version.labels().equals(checkpoint.header().labels())
                || !version.tokenizerId().equals(checkpoint.header().tokenizerId())) {
            version.retire();
            refuse("INVALID_CHECKPOINT", checkpoint.name(), source, "its record header (labels "
                    + checkpoint.header().labels() + ", tokenizer " + checkpoint.header().tokenizerId()
                    + ") disagrees with the safetensors metadata (labels " + version.labels() + ", tokenizer "
                    + version.tokenizerId() + ")");
            return;
        }
        long bytes = version.bytes();
        int inputs = version.onnx().inputs().count();
        Rollout rollout = checkpoint.header().rollout();
        Optional<RolloutAction> decided = rollouts.decided(checkpoint.name(), checkpoint.version());
        boolean promoteOnArrival = false;
        if (decided.isPresent()) {
            // Decided before it was loaded here (before a restart, or by another instance first): a confirmed
            // version serves; a promoted one serves with the version before it kept as its predecessor (a
            // rollback may still come); a rejected or rolled-back one does not come back (its predecessor,
            // read earlier on the topic, keeps serving).
            if (decided.get() == RolloutAction.CONFIRMED) {
                rollout = Rollout.CHAMPION;
            } else if (decided.get() == RolloutAction.PROMOTED) {
                rollout = Rollout.CHALLENGER;
                promoteOnArrival = true;
            } else if (registry.version(checkpoint.name()).orElse(0) > 0) {
                version.retire();
                LOG.info("model {}: v{} was {} earlier (live-metrics topic); not serving it", checkpoint.name(),
                        checkpoint.version(), decided.get());
                return;
            } else {
                // Compaction keeps one version per model: the champion it lost to may be gone from the topic.
                // A trained version it lost to is gone; the untrained base head (v0) is no better choice.
                rollout = Rollout.CHAMPION;
                LOG.warn("model {}: v{} was {} earlier, but no older trained version of it is left on the topic "
                        + "(compacted away); serving it rather than nothing or the untrained base head",
                        checkpoint.name(), checkpoint.version(), decided.get());
            }
        }
        ModelRegistry.Swap swap = registry.offer(version, rollout);
        if (promoteOnArrival && swap.accepted() && swap.asChallenger()) {
            registry.promote(checkpoint.name(), checkpoint.version());
            swap = new ModelRegistry.Swap(true, swap.previous());
        }
        double ms = (System.nanoTime() - begin) / 1e6;
        if (!swap.accepted()) {
            LOG.info("model {}: v{} ({}) is not newer than the served v{} or the waiting challenger; kept v{}",
                    checkpoint.name(), checkpoint.version(), rollout, swap.previous().orElse(0),
                    swap.previous().orElse(0));
            return;
        }
        if (swap.asChallenger()) {
            LOG.info("model {}: v{} is a CHALLENGER: scored beside v{} on labeled records, promoted only if not worse "
                    + "(built in {} ms from {})", checkpoint.name(), checkpoint.version(), swap.previous().orElse(0),
                    String.format("%.1f", ms), source);
            return;
        }
        swaps.incrementAndGet();
        String cost = version.onnx().ownsGraph()
                ? checkpoint.kind() + " checkpoint: its own ONNX Runtime session (a full copy of the model), "
                        + String.format("%,d", bytes) + " bytes"
                : checkpoint.kind() + ": " + inputs + " input tensors, " + String.format("%,d", bytes)
                        + " bytes beside the shared base's session";
        LOG.info("model {}: now serving v{} (was {}; {}; sha256 {}) built in {} ms from {}", checkpoint.name(),
                checkpoint.version(), swap.previous().isPresent() ? "v" + swap.previous().getAsLong() : "none", cost,
                checkpoint.sha256().substring(0, 12), String.format("%.1f", ms), source);
    }

    /** The cheap checks on the signed header, before decoding megabytes. */
    public static List<String> headerProblems(CheckpointHeader header, ModelIdentity serving) {
        List<String> problems = new ArrayList<>();
        if (!header.baseModelHash().equals(serving.baseHash())) {
            problems.add("trained on base " + abbreviate(header.baseModelHash()) + " but this app serves base "
                    + abbreviate(serving.baseHash()) + " (base.model)");
        }
        if (!header.tokenizerId().equals(serving.tokenizerId())) {
            problems.add("tokenizer " + header.tokenizerId() + " but this app's base uses " + serving.tokenizerId());
        }
        if (!header.labels().equals(serving.labels())) {
            problems.add("labels " + header.labels() + " but this app serves " + serving.labels() + " (labels)");
        }
        if (header.kind() == CheckpointKind.ADAPTER && header.loraConfig().isPresent()) {
            List<String> lora;
            try {
                lora = serving.loraProblems(LoraConfigJson.fromText(header.loraConfig().get(), "its record header"));
            } catch (CheckpointException e) {
                lora = List.of(e.getMessage());
            }
            if (!lora.isEmpty()) {
                problems.add(String.join("; ", lora) + " (lora.r, lora.alpha, lora.targets and lora.modules.to.save "
                        + "must be the trainer's)");
            }
        }
        return problems;
    }

    private void refuse(String reason, String name, String source, String detail) {
        refusals.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
        LOG.warn("refused checkpoint of model {} at {} ({}): {}; still serving {}", name, source, reason, detail,
                name.equals("?") ? registry.versions() : registry.version(name).isPresent()
                        ? "v" + registry.version(name).getAsLong() : "nothing for it");
    }

    /** Versions swapped in so far. */
    public long swaps() {
        return swaps.get();
    }

    /** Refused checkpoints (or chunks) by reason. */
    public Map<String, Long> refusals() {
        Map<String, Long> out = new TreeMap<>();
        refusals.forEach((reason, count) -> out.put(reason, count.get()));
        return out;
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }
}
