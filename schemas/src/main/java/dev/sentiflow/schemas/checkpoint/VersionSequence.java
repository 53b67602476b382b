package dev.sentiflow.schemas.checkpoint;

import dev.sentiflow.avro.ModelCheckpoint;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Per model name, what the {@code models} topic says: the champion (the newest version that
 * assembled completely) and the version the next publish must use. A trainer fills it by reading
 * the topic from the start with {@code read_committed} before its first round.
 *
 * <p>The next version is one above the highest version <em>seen</em>, complete or not. Aborted
 * transactions are invisible, so their numbers are simply reused; but a committed version that is
 * incomplete or was refused (bad hash, bad signature) has been seen by every reader, and readers
 * remember refused versions, so reusing its number would make them ignore the good retry.
 */
public final class VersionSequence {

    private final Map<String, State> names = new HashMap<>();

    /**
     * Records a checkpoint chunk (or a whole checkpoint) read from the topic.
     *
     * @param chunkCount the chunk count its records announce
     * @param complete whether the version assembled completely
     */
    public void observe(String name, long version, int chunkCount, boolean complete) {
        State state = names.computeIfAbsent(name, n -> new State());
        if (version > state.highestSeen) {
            state.highestSeen = version;
            state.chunkCount = chunkCount;
        }
        if (complete && version > state.champion) {
            state.champion = version;
        }
    }

    /**
     * Records a chunk and what the assembler made of it. Tombstones (null), malformed chunks and
     * chunks whose signature the assembler refused change nothing: with a signing key set, an
     * unsigned record must not move the numbering (a forged {@code Long.MAX_VALUE} would otherwise
     * leave no next version) nor the chunk count whose keys the next publish deletes.
     */
    public void observe(ModelCheckpoint chunk, AssemblyResult result) {
        if (chunk == null || !counts(result)) {
            return;
        }
        observe(chunk.getName(), chunk.getVersion(), chunk.getChunkCount(), result instanceof AssemblyResult.Complete);
    }

    private static boolean counts(AssemblyResult result) {
        if (result instanceof AssemblyResult.Rejected rejected) {
            return switch (rejected.problem()) {
                case INVALID_CHUNK, UNSIGNED, MALFORMED_SIGNATURE, WRONG_KEY, FORGED_SIGNATURE -> false;
                // Signed (or no key set) but broken: every reader has seen and refused this number.
                case CHUNK_MISMATCH, HASH_MISMATCH, PENDING_LIMIT_EXCEEDED -> true;
            };
        }
        // A chunk of a version refused earlier is as untrusted as the version was.
        return !(result instanceof AssemblyResult.Ignored ignored
                && ignored.reason() == AssemblyResult.IgnoreReason.REJECTED_VERSION);
    }

    /** The newest complete version, empty when the model has none. */
    public OptionalLong champion(String name) {
        State state = names.get(name);
        return state == null || state.champion == 0 ? OptionalLong.empty() : OptionalLong.of(state.champion);
    }

    /** The version the next publish of this model must carry; 1 for a new model. */
    public long nextVersion(String name) {
        State state = names.get(name);
        return state == null ? 1 : state.highestSeen + 1;
    }

    /**
     * The chunk count of the newest version seen: the keys 0..n-1 that hold chunks, so the
     * {@code previousChunkCount} for {@link CheckpointKeys#tombstoneKeys}; 0 for a new model.
     */
    public int chunkCount(String name) {
        State state = names.get(name);
        return state == null ? 0 : state.chunkCount;
    }

    public Set<String> names() {
        return Set.copyOf(names.keySet());
    }

    private static final class State {
        long highestSeen;
        long champion;
        int chunkCount;
    }
}
