package dev.sentiflow.trainer.publish;

import dev.sentiflow.schemas.checkpoint.CheckpointChunker;
import java.util.Optional;

/**
 * Whether a checkpoint chunk's record fits the models topic. A chunk bigger than the topic's
 * {@code max.message.bytes} fails its round's transaction however often it is retried, so the trainer
 * checks at start, before any round trains.
 */
public final class ChunkLimit {

    private ChunkLimit() {}

    /** The largest record a chunk of {@code chunkBytes} payload bytes makes. */
    public static int recordBytes(int chunkBytes) {
        return chunkBytes + CheckpointChunker.RECORD_MARGIN;
    }

    /**
     * Why chunks of {@code chunkBytes} cannot pass a limit of {@code limitBytes}; empty when they can.
     *
     * @param limit names the limit, e.g. "topic models's max.message.bytes"
     */
    public static Optional<String> problem(int chunkBytes, String limit, int limitBytes) {
        if (recordBytes(chunkBytes) <= limitBytes) {
            return Optional.empty();
        }
        return Optional.of("checkpoint.chunk.bytes=" + chunkBytes + " makes records of up to " + recordBytes(chunkBytes)
                + " bytes, but " + limit + " is " + limitBytes + ", so no version could ever be published: set "
                + "checkpoint.chunk.bytes to at most " + Math.max(1, limitBytes - CheckpointChunker.RECORD_MARGIN)
                + ", or raise " + limit);
    }
}
