package dev.sentiflow.schemas.checkpoint;

/**
 * A whole checkpoint: every chunk of one version was present and consistent, the payload hashes to
 * {@link #sha256} and, where a key is configured, the signature was valid.
 *
 * @param payload the reassembled bytes; a fresh array the assembler no longer holds, not copied again
 *     because checkpoints can be tens of megabytes
 */
public record AssembledCheckpoint(CheckpointHeader header, String sha256, byte[] payload) {

    public String name() {
        return header.name();
    }

    public long version() {
        return header.version();
    }

    public dev.sentiflow.avro.CheckpointKind kind() {
        return header.kind();
    }

    @Override
    public String toString() {
        return name() + " v" + version() + " (" + kind() + ", " + payload.length + " bytes, sha256 " + sha256 + ")";
    }
}
