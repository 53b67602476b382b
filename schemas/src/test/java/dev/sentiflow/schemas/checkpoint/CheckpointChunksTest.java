package dev.sentiflow.schemas.checkpoint;

import static dev.sentiflow.schemas.checkpoint.Checkpoints.header;
import static dev.sentiflow.schemas.checkpoint.Checkpoints.random;
import static dev.sentiflow.schemas.checkpoint.Checkpoints.shuffled;
import static dev.sentiflow.schemas.checkpoint.Checkpoints.wire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Complete;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.IgnoreReason;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Ignored;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Pending;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Rejected;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@link CheckpointChunker} and {@link CheckpointAssembler} together, through Avro's binary encoding. */
class CheckpointChunksTest {

    private static final int MAX = 1000;
    private final CheckpointChunker chunker = new CheckpointChunker(MAX, Optional.empty());

    private static CheckpointAssembler assembler() {
        return new CheckpointAssembler(64L << 20, Optional.empty());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, MAX - 1, MAX, MAX + 1, 3 * MAX, 3 * MAX + 7})
    void anyPayloadSizeRoundTripsInAnyOrder(int size) {
        byte[] payload = random(size, size);
        CheckpointHeader header = header("default", 3).parentVersion(2).build();
        List<ModelCheckpoint> chunks = chunker.chunk(header, payload);

        int expectedCount = Math.max(1, (size + MAX - 1) / MAX);
        assertEquals(expectedCount, chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            assertEquals(i, chunks.get(i).getChunkIndex());
            assertEquals(expectedCount, chunks.get(i).getChunkCount());
            assertTrue(chunks.get(i).getPayload().remaining() <= MAX);
        }
        AssembledCheckpoint assembled = assembleAll(assembler(), shuffled(chunks, size));
        assertArrayEquals(payload, assembled.payload());
        assertEquals(header, assembled.header());
        assertEquals(Sha256.hex(payload), assembled.sha256());
    }

    @Test
    void fiveMegabytesInDefaultSizedChunks() {
        byte[] payload = random(5 << 20, 5);
        CheckpointChunker real = new CheckpointChunker(CheckpointChunker.DEFAULT_MAX_CHUNK_BYTES, Optional.empty());
        List<ModelCheckpoint> chunks = real.chunk(header("big", 1).build(), payload);
        assertEquals(6, chunks.size()); // 5 MiB / 900 KiB = 5.69
        assertArrayEquals(payload, assembleAll(assembler(), shuffled(chunks, 1)).payload());
    }

    @Test
    void pendingUntilTheLastChunkAndDuplicatesChangeNothing() {
        CheckpointAssembler assembler = assembler();
        List<ModelCheckpoint> chunks = chunker.chunk(header("default", 1).build(), random(2500, 1));
        assertEquals(new Pending("default", 1, 1, 3), assembler.accept(wire(chunks.get(2))));
        assertEquals(IgnoreReason.DUPLICATE, ignored(assembler.accept(wire(chunks.get(2)))));
        assertEquals(new Pending("default", 1, 2, 3), assembler.accept(wire(chunks.get(0))));
        assertInstanceOf(Complete.class, assembler.accept(wire(chunks.get(1))));
        assertEquals(0, assembler.pendingBytes());
        // A consumer re-reading after a rebalance sees the chunks again: no second checkpoint.
        assertEquals(IgnoreReason.DUPLICATE, ignored(assembler.accept(wire(chunks.get(0)))));
    }

    @Test
    void aMissingChunkNeverCompletes() {
        CheckpointAssembler assembler = assembler();
        List<ModelCheckpoint> chunks = chunker.chunk(header("default", 1).build(), random(4500, 2));
        for (int i = 0; i < chunks.size(); i++) {
            if (i != 3) {
                assertInstanceOf(Pending.class, assembler.accept(wire(chunks.get(i))));
            }
        }
        assertEquals(3 * MAX + 500, assembler.pendingBytes());
        assertTrue(assembler.assembledVersion("default").isEmpty());
    }

    @Test
    void aTamperedPayloadFailsTheHashAndTheVersionStaysRefused() {
        CheckpointAssembler assembler = assembler();
        List<ModelCheckpoint> chunks = new ArrayList<>(chunker.chunk(header("default", 1).build(), random(3000, 3)));
        ModelCheckpoint tampered = wire(chunks.get(1));
        byte[] bytes = new byte[tampered.getPayload().remaining()];
        tampered.getPayload().duplicate().get(bytes);
        bytes[17] ^= 1;
        tampered.setPayload(ByteBuffer.wrap(bytes));
        assembler.accept(wire(chunks.get(0)));
        assembler.accept(tampered);
        Rejected rejected = assertInstanceOf(Rejected.class, assembler.accept(wire(chunks.get(2))));
        assertEquals(AssemblyProblem.HASH_MISMATCH, rejected.problem());
        assertTrue(rejected.detail().contains("default v1"), rejected.detail());
        assertEquals(0, assembler.pendingBytes());
        assertEquals(IgnoreReason.REJECTED_VERSION, ignored(assembler.accept(wire(chunks.get(0)))));
    }

    @Test
    void chunksThatDisagreeAreAMismatch() {
        List<ModelCheckpoint> chunks = chunker.chunk(header("default", 1).build(), random(2000, 4));

        CheckpointAssembler assembler = assembler();
        assembler.accept(wire(chunks.get(0)));
        ModelCheckpoint relabeled = wire(chunks.get(1));
        relabeled.setLabels(List.of("positive", "negative"));
        Rejected rejected = assertInstanceOf(Rejected.class, assembler.accept(relabeled));
        assertEquals(AssemblyProblem.CHUNK_MISMATCH, rejected.problem());
        assertEquals(0, assembler.pendingBytes());

        CheckpointAssembler other = assembler();
        other.accept(wire(chunks.get(0)));
        ModelCheckpoint secondPayload = wire(chunks.get(0));
        secondPayload.setPayload(ByteBuffer.wrap(random(MAX, 99)));
        assertEquals(AssemblyProblem.CHUNK_MISMATCH, assertInstanceOf(Rejected.class, other.accept(secondPayload)).problem());
    }

    @Test
    void interleavedNamesAndVersionsEachAssembleOnce() {
        CheckpointAssembler assembler = assembler();
        byte[] a1 = random(2500, 11);
        byte[] a2 = random(1500, 12);
        byte[] b1 = random(3500, 13);
        List<ModelCheckpoint> all = new ArrayList<>();
        all.addAll(chunker.chunk(header("a", 1).build(), a1));
        all.addAll(chunker.chunk(header("a", 2).parentVersion(1).build(), a2));
        all.addAll(chunker.chunk(header("b", 1).build(), b1));
        List<AssembledCheckpoint> done = new ArrayList<>();
        for (ModelCheckpoint chunk : shuffled(all, 7)) {
            if (assembler.accept(wire(chunk)) instanceof Complete complete) {
                done.add(complete.checkpoint());
            }
        }
        // a v1 may have completed before a v2 or been superseded by it; a v2 and b v1 always complete.
        assertTrue(done.stream().anyMatch(c -> c.name().equals("a") && c.version() == 2 && java.util.Arrays.equals(a2, c.payload())));
        assertTrue(done.stream().anyMatch(c -> c.name().equals("b") && java.util.Arrays.equals(b1, c.payload())));
        assertEquals(2, assembler.assembledVersion("a").getAsLong());
        assertEquals(0, assembler.pendingBytes());
    }

    @Test
    void aNewerCompleteVersionDropsTheOlderIncompleteOne() {
        CheckpointAssembler assembler = assembler();
        List<ModelCheckpoint> v1 = chunker.chunk(header("m", 1).build(), random(5000, 21));
        List<ModelCheckpoint> v2 = chunker.chunk(header("m", 2).build(), random(2000, 22));
        // What a compacted topic holds after v2 replaced keys 0 and 1: v1's stale chunks 2..4, then v2.
        for (int i = 2; i < 5; i++) {
            assertInstanceOf(Pending.class, assembler.accept(wire(v1.get(i))));
        }
        assertEquals(3 * MAX, assembler.pendingBytes());
        assembler.accept(wire(v2.get(0)));
        Complete complete = assertInstanceOf(Complete.class, assembler.accept(wire(v2.get(1))));
        assertEquals(2, complete.checkpoint().version());
        assertEquals(0, assembler.pendingBytes());
        assertEquals(IgnoreReason.STALE_VERSION, ignored(assembler.accept(wire(v1.get(0)))));
    }

    @Test
    void tombstonesAreHarmless() {
        CheckpointAssembler assembler = assembler();
        List<ModelCheckpoint> chunks = chunker.chunk(header("m", 1).build(), random(1500, 31));
        assembler.accept(wire(chunks.get(0)));
        assertEquals(IgnoreReason.TOMBSTONE, ignored(assembler.accept(null)));
        assertInstanceOf(Complete.class, assembler.accept(wire(chunks.get(1))));
    }

    @Test
    void theCapOnBufferedBytesRefusesAVersionThatWouldExceedIt() {
        CheckpointAssembler small = new CheckpointAssembler(2500, Optional.empty());
        List<ModelCheckpoint> chunks = chunker.chunk(header("m", 1).build(), random(4000, 41));
        small.accept(wire(chunks.get(0)));
        small.accept(wire(chunks.get(1)));
        Rejected rejected = assertInstanceOf(Rejected.class, small.accept(wire(chunks.get(2))));
        assertEquals(AssemblyProblem.PENDING_LIMIT_EXCEEDED, rejected.problem());
        assertTrue(rejected.detail().contains("2500"), rejected.detail());
        assertEquals(0, small.pendingBytes());
        // A smaller, later version still fits.
        List<ModelCheckpoint> next = chunker.chunk(header("m", 2).build(), random(2000, 42));
        small.accept(wire(next.get(0)));
        assertInstanceOf(Complete.class, small.accept(wire(next.get(1))));
    }

    @Test
    void malformedChunksAreRefusedWithTheField() {
        ModelCheckpoint chunk = wire(chunker.chunk(header("m", 1).build(), random(10, 51)).get(0));
        chunk.setChunkIndex(1);
        Rejected rejected = assertInstanceOf(Rejected.class, assembler().accept(chunk));
        assertEquals(AssemblyProblem.INVALID_CHUNK, rejected.problem());
        assertTrue(rejected.detail().contains("chunkIndex 1"), rejected.detail());

        ModelCheckpoint badHash = wire(chunker.chunk(header("m", 1).build(), random(10, 51)).get(0));
        badHash.setSha256("ABC");
        assertEquals(AssemblyProblem.INVALID_CHUNK, assertInstanceOf(Rejected.class, assembler().accept(badHash)).problem());
    }

    @Test
    void argumentsAreValidatedWithMessages() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CheckpointChunker(0, Optional.empty()))
                .getMessage().contains("maxChunkBytes"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CheckpointHeader.builder("m", 1, CheckpointKind.ADAPTER).baseModelHash("b").tokenizerId("t")
                        .labels(List.of("x")).createdAt(java.time.Instant.EPOCH).build())
                .getMessage().contains("LoRA config"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> header("m", 0).build())
                .getMessage().contains("start at 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> header("m", 1).labels(List.of()).build())
                .getMessage().contains("no labels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CheckpointAssembler(0, Optional.empty()))
                .getMessage().contains("maxPendingBytes"));
    }

    static AssembledCheckpoint assembleAll(CheckpointAssembler assembler, List<ModelCheckpoint> chunks) {
        AssembledCheckpoint done = null;
        for (int i = 0; i < chunks.size(); i++) {
            AssemblyResult result = assembler.accept(wire(chunks.get(i)));
            if (i < chunks.size() - 1) {
                assertInstanceOf(Pending.class, result, "chunk " + i + " of " + chunks.size());
            } else {
                done = assertInstanceOf(Complete.class, result, String.valueOf(result)).checkpoint();
            }
        }
        return done;
    }

    private static IgnoreReason ignored(AssemblyResult result) {
        return assertInstanceOf(Ignored.class, result, String.valueOf(result)).reason();
    }
}
