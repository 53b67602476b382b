package dev.sentiflow.trainer.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.schemas.checkpoint.CheckpointChunker;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChunkLimitTest {

    @Test
    void theDefaultChunkFitsKafkasDefaultMessageLimit() {
        assertEquals(Optional.empty(), ChunkLimit.problem(CheckpointChunker.DEFAULT_MAX_CHUNK_BYTES, "topic models", 1_048_588));
    }

    @Test
    void aChunkBiggerThanTheLimitLeavesNamesTheLimitAndTheMostThatFits() {
        String problem = ChunkLimit.problem(1_000_000, "topic models's max.message.bytes", 1_048_588).orElseThrow();
        assertTrue(problem.contains("topic models's max.message.bytes is 1048588"), problem);
        assertTrue(problem.contains("at most " + (1_048_588 - CheckpointChunker.RECORD_MARGIN)), problem);
        assertEquals(Optional.empty(), ChunkLimit.problem(1_048_588 - CheckpointChunker.RECORD_MARGIN, "t", 1_048_588),
                "the most it names does fit");
    }
}
