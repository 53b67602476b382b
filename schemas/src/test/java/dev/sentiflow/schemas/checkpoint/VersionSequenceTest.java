package dev.sentiflow.schemas.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.ModelCheckpoint;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VersionSequenceTest {

    @Test
    void aNewModelStartsAtOneWithoutAChampion() {
        VersionSequence versions = new VersionSequence();
        assertEquals(1, versions.nextVersion("default"));
        assertTrue(versions.champion("default").isEmpty());
        assertEquals(0, versions.chunkCount("default"));
    }

    @Test
    void theChampionIsTheNewestCompleteVersionAndNumbersAreNeverReused() {
        VersionSequence versions = new VersionSequence();
        versions.observe("a", 2, 3, true);
        versions.observe("a", 1, 4, true); // read out of order
        versions.observe("a", 3, 5, false); // committed but refused or incomplete
        versions.observe("b", 7, 1, true);
        assertEquals(OptionalLong.of(2), versions.champion("a"));
        assertEquals(4, versions.nextVersion("a"));
        assertEquals(5, versions.chunkCount("a"));
        assertEquals(OptionalLong.of(7), versions.champion("b"));
        assertEquals(8, versions.nextVersion("b"));
        assertEquals(Set.of("a", "b"), versions.names());
    }

    @Test
    void itFollowsWhatTheAssemblerMadeOfEachChunk() {
        CheckpointChunker chunker = new CheckpointChunker(1000, Optional.empty());
        CheckpointAssembler assembler = new CheckpointAssembler(1 << 20, Optional.empty());
        VersionSequence versions = new VersionSequence();
        List<ModelCheckpoint> v1 = chunker.chunk(Checkpoints.header("m", 1).build(), Checkpoints.random(1500, 1));
        List<ModelCheckpoint> v2 = chunker.chunk(Checkpoints.header("m", 2).build(), Checkpoints.random(2500, 2));
        for (ModelCheckpoint chunk : v1) {
            versions.observe(chunk, assembler.accept(chunk));
        }
        versions.observe(v2.get(0), assembler.accept(v2.get(0))); // v2 still incomplete
        versions.observe(null, assembler.accept(null));
        assertEquals(OptionalLong.of(1), versions.champion("m"));
        assertEquals(3, versions.nextVersion("m"));
    }
}
