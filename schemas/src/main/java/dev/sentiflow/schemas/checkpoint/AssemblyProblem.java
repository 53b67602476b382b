package dev.sentiflow.schemas.checkpoint;

/** Why {@link CheckpointAssembler} refused a checkpoint version. A refused version is never yielded. */
public enum AssemblyProblem {
    /** A chunk is not well-formed: bad index or count, bad hash format, missing header field. */
    INVALID_CHUNK,
    /** Chunks of one name and version disagree: another header, hash, count or signature, or two payloads for one index. */
    CHUNK_MISMATCH,
    /** All chunks are there, but their concatenation does not hash to the announced SHA-256. */
    HASH_MISMATCH,
    /** Holding this chunk would exceed the assembler's cap on buffered bytes. */
    PENDING_LIMIT_EXCEEDED,
    /** A signing key is configured and the checkpoint is unsigned. */
    UNSIGNED,
    /** The signature is not one a {@link CheckpointSigner} writes. */
    MALFORMED_SIGNATURE,
    /** Signed with another key than the configured one. */
    WRONG_KEY,
    /** Our key, but the metadata or hash was altered after signing. */
    FORGED_SIGNATURE;

    static AssemblyProblem of(SignatureCheck check) {
        return switch (check) {
            case UNSIGNED -> UNSIGNED;
            case MALFORMED -> MALFORMED_SIGNATURE;
            case WRONG_KEY -> WRONG_KEY;
            case FORGED -> FORGED_SIGNATURE;
            case VALID -> throw new IllegalArgumentException("a valid signature is not a problem");
        };
    }
}
