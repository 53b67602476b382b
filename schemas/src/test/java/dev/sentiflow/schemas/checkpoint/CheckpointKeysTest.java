package dev.sentiflow.schemas.checkpoint;

import static dev.sentiflow.schemas.checkpoint.Checkpoints.header;
import static dev.sentiflow.schemas.checkpoint.Checkpoints.random;
import static dev.sentiflow.schemas.checkpoint.Checkpoints.wire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Complete;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckpointKeysTest {

    @Test
    void keysNameTheModelAndTheChunkIndex() {
        assertEquals("default#0", CheckpointKeys.key("default", 0));
        assertArrayEquals("yelp#12".getBytes(StandardCharsets.UTF_8), CheckpointKeys.keyBytes("yelp", 12));
        assertEquals(new CheckpointKeys.ChunkKey("tenant#7", 3), CheckpointKeys.parse("tenant#7#3"));
        for (String bad : List.of("default", "#1", "a#", "a#x", "a#-1", "a#+1")) {
            assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.key("", 0));
    }

    @Test
    void tombstonesCoverExactlyTheIndexesAShrunkCheckpointNoLongerUses() {
        assertEquals(List.of("m#2", "m#3", "m#4"), CheckpointKeys.tombstoneKeys("m", 2, 5));
        assertEquals(List.of(), CheckpointKeys.tombstoneKeys("m", 5, 2));
        assertEquals(List.of(), CheckpointKeys.tombstoneKeys("m", 3, 3));
        assertEquals(List.of(), CheckpointKeys.tombstoneKeys("m", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.tombstoneKeys("m", 0, 3));
    }

    @Test
    void everyChunkOfAModelGoesToOnePartitionAndModelsSpread() {
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int partition = CheckpointKeys.partition("model-" + i, 6);
            assertTrue(partition >= 0 && partition < 6);
            assertEquals(partition, CheckpointKeys.partition("model-" + i, 6));
            used.add(partition);
        }
        assertTrue(used.size() >= 4, "50 names on 6 partitions used only " + used);
    }

    /** Publishes v1 (5 chunks) then v2 (2 chunks) into a simulated compacted log and reads it back. */
    @Test
    void aCompactedTopicHoldsExactlyTheNewestVersion() {
        CheckpointChunker chunker = new CheckpointChunker(1000, Optional.empty());
        VersionSequence versions = new VersionSequence();
        Map<String, ModelCheckpoint> log = new LinkedHashMap<>();
        byte[] v2Payload = random(1500, 2);
        for (byte[] payload : List.of(random(4500, 1), v2Payload)) {
            long version = versions.nextVersion("m");
            List<ModelCheckpoint> chunks = chunker.chunk(header("m", version).build(), payload);
            for (String key : CheckpointKeys.tombstoneKeys("m", chunks.size(), versions.chunkCount("m"))) {
                put(log, key, null);
            }
            for (ModelCheckpoint chunk : chunks) {
                put(log, CheckpointKeys.key("m", chunk.getChunkIndex()), chunk);
                versions.observe("m", version, chunk.getChunkCount(), true);
            }
        }
        log.values().removeIf(v -> v == null); // compaction drops tombstones after delete.retention.ms
        assertEquals(List.of("m#0", "m#1"), new ArrayList<>(log.keySet()));

        CheckpointAssembler assembler = new CheckpointAssembler(1 << 20, Optional.empty());
        VersionSequence restarted = new VersionSequence();
        AssemblyResult last = null;
        for (ModelCheckpoint chunk : log.values()) {
            last = assembler.accept(wire(chunk));
            restarted.observe(chunk, last);
        }
        assertArrayEquals(v2Payload, ((Complete) last).checkpoint().payload());
        assertEquals(3, restarted.nextVersion("m"));
        assertEquals(2, restarted.chunkCount("m"));
    }

    /** A compacted log: a rewritten key moves to the end, as its newest record is the one kept. */
    private static void put(Map<String, ModelCheckpoint> log, String key, ModelCheckpoint value) {
        log.remove(key);
        log.put(key, value);
    }
}
