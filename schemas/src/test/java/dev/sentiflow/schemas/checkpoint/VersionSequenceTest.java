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

    /**
     * With a signing key set, unsigned chunks change no state: a version of Long.MAX_VALUE leaves
     * the numbering where it was, a huge chunk count is refused before anyone builds tombstone keys
     * for it, and a flood of forged names leaves the assembler with no entry for any of them.
     */
    @Test
    void unsignedAndAbsurdChunksChangeNothingWhenAKeyIsSet() {
        Optional<CheckpointSigner> key = CheckpointSigner.fromSecret("it-secret");
        CheckpointChunker signed = new CheckpointChunker(1000, key);
        CheckpointChunker unsigned = new CheckpointChunker(1000, Optional.empty());
        CheckpointAssembler assembler = new CheckpointAssembler(1 << 20, key);
        VersionSequence versions = new VersionSequence();
        for (ModelCheckpoint chunk : signed.chunk(Checkpoints.header("m", 1).build(), Checkpoints.random(1500, 1))) {
            versions.observe(chunk, assembler.accept(Checkpoints.wire(chunk)));
        }
        assertEquals(2, versions.nextVersion("m"));
        assertEquals(2, versions.chunkCount("m"));

        ModelCheckpoint huge = unsigned.chunk(Checkpoints.header("m", Long.MAX_VALUE).build(),
                Checkpoints.random(10, 2)).get(0);
        AssemblyResult result = assembler.accept(Checkpoints.wire(huge));
        versions.observe(huge, result);
        assertEquals(2, versions.nextVersion("m"), "an unsigned version does not move the numbering: " + result);

        ModelCheckpoint manyChunks = ModelCheckpoint.newBuilder(unsigned.chunk(Checkpoints.header("m", 5).build(),
                Checkpoints.random(10, 3)).get(0)).setChunkCount(Integer.MAX_VALUE).build();
        result = assembler.accept(Checkpoints.wire(manyChunks));
        assertEquals(AssemblyProblem.INVALID_CHUNK, ((AssemblyResult.Rejected) result).problem());
        versions.observe(manyChunks, result);
        assertEquals(2, versions.chunkCount("m"), "the tombstones of the next publish stay two keys");

        for (int i = 0; i < 1000; i++) {
            ModelCheckpoint forged = unsigned.chunk(Checkpoints.header("forged-" + i, 1).build(),
                    Checkpoints.random(10, i)).get(0);
            versions.observe(forged, assembler.accept(Checkpoints.wire(forged)));
        }
        assertEquals(1, assembler.trackedNames(), "no state for names only forged chunks used");
        assertEquals(java.util.Set.of("m"), versions.names());
        assertEquals(0, assembler.pendingBytes());
    }

    /** Without a key every chunk is believed, but no header may claim a version or chunk count past the bounds. */
    @Test
    void versionsAndChunkCountsAreBoundedWithoutAKeyToo() {
        CheckpointChunker unsigned = new CheckpointChunker(1000, Optional.empty());
        CheckpointAssembler assembler = new CheckpointAssembler(1 << 20, Optional.empty());
        VersionSequence versions = new VersionSequence();
        ModelCheckpoint huge = unsigned.chunk(Checkpoints.header("m", Long.MAX_VALUE).build(),
                Checkpoints.random(10, 2)).get(0);
        AssemblyResult result = assembler.accept(Checkpoints.wire(huge));
        versions.observe(huge, result);
        assertEquals(AssemblyProblem.INVALID_CHUNK, ((AssemblyResult.Rejected) result).problem());
        assertEquals(1, versions.nextVersion("m"));
    }
}
