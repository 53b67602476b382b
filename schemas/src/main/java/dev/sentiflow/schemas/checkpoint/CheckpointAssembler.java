package dev.sentiflow.schemas.checkpoint;

import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Complete;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.IgnoreReason;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Ignored;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Pending;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Rejected;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Rebuilds checkpoints from the records of the {@code models} topic, read with
 * {@code isolation.level=read_committed}. Chunks may come in any order, interleaved across names and
 * versions, repeated (a consumer re-reading after a rebalance) or mixed with tombstones and stale
 * chunks of older versions that compaction left behind (see {@link CheckpointKeys}). A checkpoint is
 * yielded only when every chunk 0..n-1 of one (name, version) is present, all carry the same header,
 * hash, count and signature, the concatenated payload hashes to the announced SHA-256, and, when a
 * signing key is configured, the signature is valid; the signature is checked on a version's first
 * chunk so that a forged version never buffers bytes.
 *
 * <p>Memory stays bounded: buffered payload bytes are capped (a version that would exceed the cap is
 * refused with {@link AssemblyProblem#PENDING_LIMIT_EXCEEDED}), and when a version completes every
 * older incomplete version of its name is dropped, since it could only ever be superseded. Versions
 * refused earlier are remembered (at most {@value #REMEMBERED_REJECTIONS} per name) so their later
 * chunks are ignored instead of buffered again.
 *
 * <p>Not thread-safe: one consumer thread feeds it.
 */
public final class CheckpointAssembler {

    static final int REMEMBERED_REJECTIONS = 64;
    /**
     * Most chunks a version may announce: 4 GiB at the default 64 KiB. A header's count is believed
     * by whoever deletes the chunk keys a version leaves behind, so it must be a size one can act on.
     */
    public static final int MAX_CHUNK_COUNT = 1 << 16;
    /** Highest version number taken seriously: far above any real sequence, far below overflow. */
    public static final long MAX_VERSION = 1L << 48;

    private final long maxPendingBytes;
    private final Optional<CheckpointSigner> verifier;
    private final Map<String, NameState> names = new HashMap<>();
    /**
     * (name, version) pairs refused for their signature, so a forged version's later chunks are
     * ignored rather than refused once each: a fixed-size memo, oldest out first, that no flood of
     * forged records can grow and that no other version's assembly consults.
     */
    private final Map<String, AssemblyProblem> refusedSignatures = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AssemblyProblem> eldest) {
            return size() > REMEMBERED_REJECTIONS;
        }
    };
    private long pendingBytes;

    /**
     * @param maxPendingBytes most payload bytes held for incomplete versions, all names together;
     *     at least the largest checkpoint expected
     * @param verifier when present every checkpoint must carry a valid signature under its key; when
     *     empty signatures are not checked
     */
    public CheckpointAssembler(long maxPendingBytes, Optional<CheckpointSigner> verifier) {
        if (maxPendingBytes < 1) {
            throw new IllegalArgumentException("maxPendingBytes must be at least 1, got " + maxPendingBytes);
        }
        this.maxPendingBytes = maxPendingBytes;
        this.verifier = Objects.requireNonNull(verifier, "verifier (use Optional.empty() to accept unsigned checkpoints)");
    }

    /** The key checkpoints must be signed with, if any (rollout decisions are checked with it too). */
    public Optional<CheckpointSigner> verifier() {
        return verifier;
    }

    /** Takes one record value of the {@code models} topic; null is a tombstone. */
    public AssemblyResult accept(ModelCheckpoint chunk) {
        if (chunk == null) {
            return new Ignored(IgnoreReason.TOMBSTONE, "tombstone (a deleted chunk key)");
        }
        String name = chunk.getName();
        // Read generically: the typed getter unboxes and would throw on a hand-built record missing it.
        long version = chunk.get("version") instanceof Long v ? v : 0;
        CheckpointHeader header;
        try {
            header = CheckpointHeader.of(chunk);
            checkChunkFields(chunk);
        } catch (IllegalArgumentException | NullPointerException e) {
            return new Rejected(AssemblyProblem.INVALID_CHUNK, name, version,
                    "invalid chunk of " + name + " v" + version + ": " + e.getMessage());
        }
        byte[] signature = bytes(chunk.getSignature());
        NameState state = names.get(name);
        PendingVersion pending = state == null ? null : state.pending.get(version);
        if (pending == null && verifier.isPresent()) {
            // Before any state exists for it: an unsigned or forged chunk changes nothing, not even a name's entry.
            SignatureCheck check = verifier.get().verify(header, chunk.getSha256(), signature);
            if (check != SignatureCheck.VALID) {
                AssemblyProblem problem = AssemblyProblem.of(check);
                AssemblyProblem earlier = refusedSignatures.putIfAbsent(name + "\u0000" + version, problem);
                if (earlier != null) {
                    return new Ignored(IgnoreReason.REJECTED_VERSION, name + " v" + version + " was refused earlier ("
                            + earlier + ")");
                }
                return new Rejected(problem, name, version, name + " v" + version + ": " + check.explanation());
            }
        }
        if (state == null) {
            state = new NameState();
            names.put(name, state);
        }
        if (state.assembled.isPresent() && version <= state.assembled.getAsLong()) {
            return version == state.assembled.getAsLong()
                    ? new Ignored(IgnoreReason.DUPLICATE, name + " v" + version + " is already assembled")
                    : new Ignored(IgnoreReason.STALE_VERSION, name + " v" + version + " is older than the assembled v"
                            + state.assembled.getAsLong());
        }
        AssemblyProblem earlier = state.rejected.get(version);
        if (earlier != null) {
            return new Ignored(IgnoreReason.REJECTED_VERSION, name + " v" + version + " was refused earlier (" + earlier + ")");
        }
        if (pending == null) {
            pending = new PendingVersion(header, chunk.getSha256(), chunk.getChunkCount(), signature);
            state.pending.put(version, pending);
        } else {
            String difference = pending.differenceFrom(header, chunk, signature);
            if (difference != null) {
                return reject(state, AssemblyProblem.CHUNK_MISMATCH, name, version, "chunk " + chunk.getChunkIndex()
                        + " of " + name + " v" + version + " disagrees with the earlier chunks: " + difference);
            }
        }
        int index = chunk.getChunkIndex();
        byte[] slice = bytes(chunk.getPayload());
        byte[] held = pending.chunks.get(index);
        if (held != null) {
            if (Arrays.equals(held, slice)) {
                return new Ignored(IgnoreReason.DUPLICATE, "chunk " + index + " of " + name + " v" + version + " again");
            }
            return reject(state, AssemblyProblem.CHUNK_MISMATCH, name, version,
                    "two different payloads for chunk " + index + " of " + name + " v" + version);
        }
        if (pendingBytes + slice.length > maxPendingBytes || pending.bytes + slice.length > Integer.MAX_VALUE - 8) {
            return reject(state, AssemblyProblem.PENDING_LIMIT_EXCEEDED, name, version, "holding chunk " + index + " of "
                    + name + " v" + version + " would buffer " + (pendingBytes + slice.length) + " bytes, over the cap of "
                    + maxPendingBytes + "; raise the cap above the largest checkpoint (or fewer versions in flight)");
        }
        pending.chunks.put(index, slice);
        pending.bytes += slice.length;
        pendingBytes += slice.length;
        if (pending.chunks.size() < pending.chunkCount) {
            return new Pending(name, version, pending.chunks.size(), pending.chunkCount);
        }
        return complete(state, pending);
    }

    private AssemblyResult complete(NameState state, PendingVersion pending) {
        String name = pending.header.name();
        long version = pending.header.version();
        byte[] payload = new byte[(int) pending.bytes];
        int at = 0;
        for (int index = 0; index < pending.chunkCount; index++) {
            byte[] slice = pending.chunks.get(index);
            System.arraycopy(slice, 0, payload, at, slice.length);
            at += slice.length;
        }
        String actual = HexFormat.of().formatHex(Sha256.digest().digest(payload));
        if (!MessageDigest.isEqual(actual.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                pending.sha256.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            return reject(state, AssemblyProblem.HASH_MISMATCH, name, version, name + " v" + version
                    + " reassembled to sha256 " + actual + " but its chunks announce " + pending.sha256);
        }
        state.assembled = OptionalLong.of(version);
        // Older versions can only be superseded now: drop their chunks and their rejection notes.
        var older = state.pending.headMap(version, true);
        older.values().forEach(p -> pendingBytes -= p.bytes);
        older.clear();
        state.rejected.headMap(version, true).clear();
        return new Complete(new AssembledCheckpoint(pending.header, pending.sha256, payload));
    }

    private Rejected reject(NameState state, AssemblyProblem problem, String name, long version, String detail) {
        PendingVersion dropped = state.pending.remove(version);
        if (dropped != null) {
            pendingBytes -= dropped.bytes;
        }
        state.rejected.put(version, problem);
        if (state.rejected.size() > REMEMBERED_REJECTIONS) {
            state.rejected.pollFirstEntry();
        }
        return new Rejected(problem, name, version, detail);
    }

    private static void checkChunkFields(ModelCheckpoint chunk) {
        int count = chunk.getChunkCount();
        int index = chunk.getChunkIndex();
        if (count < 1 || count > MAX_CHUNK_COUNT) {
            throw new IllegalArgumentException("chunkCount " + count + " outside 1.." + MAX_CHUNK_COUNT);
        }
        long version = chunk.getVersion();
        if (version < 1 || version > MAX_VERSION) {
            throw new IllegalArgumentException("version " + version + " outside 1.." + MAX_VERSION);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("chunkIndex " + index + " outside 0.." + (count - 1));
        }
        if (!Sha256.isHex(chunk.getSha256())) {
            throw new IllegalArgumentException("sha256 '" + chunk.getSha256() + "' is not 64 lower-case hex digits");
        }
        Objects.requireNonNull(chunk.getPayload(), "payload");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    /** Names with any assembly state (pending, assembled or refused versions). */
    int trackedNames() {
        return names.size();
    }

    /** Payload bytes currently buffered for incomplete versions. */
    public long pendingBytes() {
        return pendingBytes;
    }

    /** The newest version of this name assembled so far. */
    public OptionalLong assembledVersion(String name) {
        NameState state = names.get(name);
        return state == null ? OptionalLong.empty() : state.assembled;
    }

    private static final class NameState {
        OptionalLong assembled = OptionalLong.empty();
        final TreeMap<Long, PendingVersion> pending = new TreeMap<>();
        final TreeMap<Long, AssemblyProblem> rejected = new TreeMap<>();
    }

    /** The chunks held so far of one (name, version), and what all its chunks must agree on. */
    private static final class PendingVersion {
        final CheckpointHeader header;
        final String sha256;
        final int chunkCount;
        final byte[] signature;
        /** By index; a map, not an array, so a bogus huge chunkCount costs nothing until chunks arrive. */
        final Map<Integer, byte[]> chunks = new HashMap<>();
        long bytes;

        PendingVersion(CheckpointHeader header, String sha256, int chunkCount, byte[] signature) {
            this.header = header;
            this.sha256 = sha256;
            this.chunkCount = chunkCount;
            this.signature = signature;
        }

        /** What differs between this version's first chunk and another chunk of it, or null. */
        String differenceFrom(CheckpointHeader other, ModelCheckpoint chunk, byte[] otherSignature) {
            if (chunk.getChunkCount() != chunkCount) {
                return "chunkCount " + chunk.getChunkCount() + " vs " + chunkCount;
            }
            if (!chunk.getSha256().equals(sha256)) {
                return "sha256 " + chunk.getSha256() + " vs " + sha256;
            }
            if (!Arrays.equals(otherSignature, signature)) {
                return "another signature";
            }
            if (!other.equals(header)) {
                return "another header (" + other + " vs " + header + ")";
            }
            return null;
        }
    }
}
