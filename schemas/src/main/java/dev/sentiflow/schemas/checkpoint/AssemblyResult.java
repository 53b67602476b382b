package dev.sentiflow.schemas.checkpoint;

/**
 * What one record from the {@code models} topic did to the {@link CheckpointAssembler}: completed a
 * checkpoint, left one waiting for more chunks, changed nothing, or got its version refused.
 */
public sealed interface AssemblyResult {

    /** The record completed a checkpoint that passed every check. */
    record Complete(AssembledCheckpoint checkpoint) implements AssemblyResult {}

    /** The chunk was kept; its version still waits for {@code chunkCount - received} chunks. */
    record Pending(String name, long version, int received, int chunkCount) implements AssemblyResult {}

    /** Nothing changed, harmlessly (a tombstone, a duplicate, an old version). */
    record Ignored(IgnoreReason reason, String detail) implements AssemblyResult {}

    /**
     * The version is refused and its buffered chunks dropped; later chunks of it are ignored.
     *
     * @param detail a sentence naming the model, version and what is wrong
     */
    record Rejected(AssemblyProblem problem, String name, long version, String detail) implements AssemblyResult {}

    /** Why a record changed nothing. */
    enum IgnoreReason {
        /** A null value: the publisher deleting a stale chunk key (see {@link CheckpointKeys}). */
        TOMBSTONE,
        /** The same payload for an index already held, or a chunk of the version assembled last. */
        DUPLICATE,
        /** A chunk of a version older than the newest assembled one of its name (e.g. a stale higher-index key). */
        STALE_VERSION,
        /** A chunk of a version refused earlier. */
        REJECTED_VERSION
    }
}
