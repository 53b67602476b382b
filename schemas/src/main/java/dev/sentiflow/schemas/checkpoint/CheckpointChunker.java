package dev.sentiflow.schemas.checkpoint;

import dev.sentiflow.avro.ModelCheckpoint;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Cuts a checkpoint's bytes into {@code ModelCheckpoint} records small enough for the topic's
 * message limit. Every chunk repeats the header, the SHA-256 of the whole payload and the signature,
 * so the assembler can check each chunk against the others and the result against the hash. An empty
 * payload still gives one chunk: a version with zero records could never be seen as complete.
 *
 * <p>The records must be published in one Kafka transaction with the keys from {@link CheckpointKeys}.
 */
public final class CheckpointChunker {

    /** Leaves headroom under Kafka's default 1 MiB message limit for the header and the Avro framing. */
    public static final int DEFAULT_MAX_CHUNK_BYTES = 900 * 1024;
    /** The most a chunk's record adds to its payload bytes: header, signature, Avro and registry framing, record overhead. */
    public static final int RECORD_MARGIN = 64 * 1024;

    private final int maxChunkBytes;
    private final Optional<CheckpointSigner> signer;

    /**
     * @param maxChunkBytes most payload bytes per record
     * @param signer signs every chunk when present; empty publishes unsigned checkpoints
     */
    public CheckpointChunker(int maxChunkBytes, Optional<CheckpointSigner> signer) {
        if (maxChunkBytes < 1) {
            throw new IllegalArgumentException("maxChunkBytes must be at least 1, got " + maxChunkBytes);
        }
        this.maxChunkBytes = maxChunkBytes;
        this.signer = Objects.requireNonNull(signer, "signer (use Optional.empty() for unsigned checkpoints)");
    }

    /** The chunks of one checkpoint, chunkIndex 0..n-1, in publishing order. */
    public List<ModelCheckpoint> chunk(CheckpointHeader header, byte[] payload) {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(payload, "payload (use an empty array for an empty checkpoint)");
        String sha256 = Sha256.hex(payload);
        ByteBuffer signature = signer.map(s -> ByteBuffer.wrap(s.sign(header, sha256))).orElse(null);
        int count = Math.max(1, (int) ((payload.length + (long) maxChunkBytes - 1) / maxChunkBytes));
        List<ModelCheckpoint> chunks = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            int from = (int) Math.min((long) index * maxChunkBytes, payload.length);
            int until = (int) Math.min((long) from + maxChunkBytes, payload.length);
            chunks.add(ModelCheckpoint.newBuilder()
                    .setName(header.name())
                    .setVersion(header.version())
                    .setKind(header.kind())
                    .setBaseModelHash(header.baseModelHash())
                    .setTokenizerId(header.tokenizerId())
                    .setLabels(header.labels())
                    .setMetrics(header.metrics())
                    .setLoraConfig(header.loraConfig().orElse(null))
                    .setLineage(header.lineage())
                    .setParentVersion(header.parentVersion().isPresent() ? header.parentVersion().getAsLong() : null)
                    .setCreatedAt(header.createdAt())
                    .setRollout(header.rollout())
                    .setChunkIndex(index)
                    .setChunkCount(count)
                    .setSha256(sha256)
                    // A copy, not a view: a consumer of the record may read payload.array() whole.
                    .setPayload(ByteBuffer.wrap(Arrays.copyOfRange(payload, from, until)))
                    .setSignature(signature == null ? null : signature.duplicate())
                    .build());
        }
        return chunks;
    }

    public int maxChunkBytes() {
        return maxChunkBytes;
    }
}
