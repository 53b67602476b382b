package dev.sentiflow.schemas.checkpoint;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.OffsetRange;
import dev.sentiflow.avro.Rollout;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a checkpoint says about itself apart from its bytes: the fields every chunk of one version
 * repeats. {@link CheckpointChunker} copies it into each chunk, {@link CheckpointAssembler} requires
 * all chunks of a version to carry an equal header and hands it back with the payload, and
 * {@link CheckpointSigner} signs it, so a reader can trust every field here, not only the bytes.
 *
 * @param name model name (a domain or tenant); chunks of one name share a record-key prefix
 * @param version positive, unique per name (see {@link VersionSequence})
 * @param baseModelHash hash of the exact base weights the checkpoint was trained on
 * @param tokenizerId digest of the tokenizer the training ids came from
 * @param labels class names in logit order
 * @param metrics evaluation scores of this version (accuracy, macro_f1, ...)
 * @param loraConfig PEFT-style LoRA JSON; required for adapters, absent for full checkpoints
 * @param lineage input offsets this version was trained on
 * @param parentVersion the champion it was fine-tuned from; empty when trained from the base
 * @param rollout serve at once (CHAMPION) or only after a live comparison (CHALLENGER)
 */
public record CheckpointHeader(String name, long version, CheckpointKind kind, String baseModelHash,
        String tokenizerId, List<String> labels, Map<String, Double> metrics, Optional<String> loraConfig,
        List<OffsetRange> lineage, OptionalLong parentVersion, Instant createdAt, Rollout rollout) {

    public CheckpointHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(baseModelHash, "baseModelHash");
        Objects.requireNonNull(tokenizerId, "tokenizerId");
        Objects.requireNonNull(loraConfig, "loraConfig");
        Objects.requireNonNull(parentVersion, "parentVersion");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(rollout, "rollout");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a checkpoint needs a non-blank model name");
        }
        if (version < 1) {
            throw new IllegalArgumentException("checkpoint versions start at 1, got " + version + " for " + name);
        }
        if (baseModelHash.isBlank() || tokenizerId.isBlank()) {
            throw new IllegalArgumentException("checkpoint " + name + " v" + version
                    + " must name its base model hash and tokenizer id (inference refuses a mismatch)");
        }
        labels = List.copyOf(labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("checkpoint " + name + " v" + version + " has no labels");
        }
        if (kind == CheckpointKind.ADAPTER && loraConfig.isEmpty()) {
            throw new IllegalArgumentException("adapter checkpoint " + name + " v" + version + " needs its LoRA config");
        }
        metrics = Map.copyOf(metrics);
        // The wire carries milliseconds (timestamp-millis): keep no more, so a header equals its round trip.
        createdAt = Instant.ofEpochMilli(createdAt.toEpochMilli());
        // Avro records are mutable: copy each range so the header stays what was signed.
        lineage = lineage.stream().map(r -> OffsetRange.newBuilder(r).build()).toList();
        for (OffsetRange range : lineage) {
            if (range.getPartition() < 0 || range.getFromOffset() < 0 || range.getUntilOffset() < range.getFromOffset()) {
                throw new IllegalArgumentException("checkpoint " + name + " v" + version + " has an invalid lineage range "
                        + range.getTopic() + "-" + range.getPartition() + " [" + range.getFromOffset() + ", "
                        + range.getUntilOffset() + ")");
            }
        }
    }

    /** The header a chunk carries. Throws {@link IllegalArgumentException} when it is not a valid one. */
    public static CheckpointHeader of(ModelCheckpoint chunk) {
        return new CheckpointHeader(chunk.getName(), chunk.getVersion(), chunk.getKind(), chunk.getBaseModelHash(),
                chunk.getTokenizerId(), chunk.getLabels(), chunk.getMetrics(), Optional.ofNullable(chunk.getLoraConfig()),
                chunk.getLineage(),
                chunk.getParentVersion() == null ? OptionalLong.empty() : OptionalLong.of(chunk.getParentVersion()),
                chunk.getCreatedAt(), chunk.getRollout() == null ? Rollout.CHAMPION : chunk.getRollout());
    }

    public static Builder builder(String name, long version, CheckpointKind kind) {
        return new Builder(name, version, kind);
    }

    /** Names the optional fields at the call site instead of eleven positional arguments. */
    public static final class Builder {
        private final String name;
        private final long version;
        private final CheckpointKind kind;
        private String baseModelHash = "";
        private String tokenizerId = "";
        private List<String> labels = List.of();
        private Map<String, Double> metrics = Map.of();
        private Optional<String> loraConfig = Optional.empty();
        private List<OffsetRange> lineage = List.of();
        private OptionalLong parentVersion = OptionalLong.empty();
        private Instant createdAt;
        private Rollout rollout = Rollout.CHAMPION;

        private Builder(String name, long version, CheckpointKind kind) {
            this.name = name;
            this.version = version;
            this.kind = kind;
        }

        public Builder baseModelHash(String hash) {
            this.baseModelHash = hash;
            return this;
        }

        public Builder tokenizerId(String id) {
            this.tokenizerId = id;
            return this;
        }

        public Builder labels(List<String> names) {
            this.labels = names;
            return this;
        }

        public Builder metrics(Map<String, Double> scores) {
            this.metrics = scores;
            return this;
        }

        public Builder loraConfig(String json) {
            this.loraConfig = Optional.ofNullable(json);
            return this;
        }

        public Builder lineage(List<OffsetRange> ranges) {
            this.lineage = ranges;
            return this;
        }

        public Builder parentVersion(long parent) {
            this.parentVersion = OptionalLong.of(parent);
            return this;
        }

        public Builder createdAt(Instant when) {
            this.createdAt = when;
            return this;
        }

        public Builder rollout(Rollout how) {
            this.rollout = how;
            return this;
        }

        public CheckpointHeader build() {
            return new CheckpointHeader(name, version, kind, baseModelHash, tokenizerId, labels, metrics, loraConfig,
                    lineage, parentVersion, createdAt, rollout);
        }
    }
}
