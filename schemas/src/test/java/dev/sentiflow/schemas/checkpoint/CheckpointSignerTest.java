package dev.sentiflow.schemas.checkpoint;

import static dev.sentiflow.schemas.checkpoint.Checkpoints.header;
import static dev.sentiflow.schemas.checkpoint.Checkpoints.random;
import static dev.sentiflow.schemas.checkpoint.Checkpoints.wire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.OffsetRange;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Complete;
import dev.sentiflow.schemas.checkpoint.AssemblyResult.Rejected;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CheckpointSignerTest {

    private static final CheckpointSigner KEY = CheckpointSigner.fromSecret("trainer-secret").orElseThrow();
    private static final CheckpointSigner OTHER_KEY = CheckpointSigner.fromSecret("another-secret").orElseThrow();
    private static final String SHA = "0".repeat(63) + "1";

    @Test
    void aSignatureVerifiesOnlyUnderItsOwnKey() {
        CheckpointHeader header = header("default", 4).parentVersion(3).build();
        byte[] signature = KEY.sign(header, SHA);
        assertEquals(CheckpointSigner.SIGNATURE_BYTES, signature.length);
        assertEquals(SignatureCheck.VALID, KEY.verify(header, SHA, signature));
        assertEquals(SignatureCheck.WRONG_KEY, OTHER_KEY.verify(header, SHA, signature));
        assertEquals(SignatureCheck.UNSIGNED, KEY.verify(header, SHA, null));
        assertEquals(SignatureCheck.MALFORMED, KEY.verify(header, SHA, new byte[5]));
    }

    @Test
    void everySignedFieldIsCovered() {
        CheckpointHeader original = header("default", 4).parentVersion(3).build();
        byte[] signature = KEY.sign(original, SHA);
        List<CheckpointHeader> forgeries = List.of(
                header("other", 4).parentVersion(3).build(),
                header("default", 5).parentVersion(3).build(),
                header("default", 4).build(),
                header("default", 4).parentVersion(2).build(),
                header("default", 4).parentVersion(3).baseModelHash("base-forged").build(),
                header("default", 4).parentVersion(3).tokenizerId("tok-forged").build(),
                header("default", 4).parentVersion(3).labels(List.of("positive", "negative")).build(),
                header("default", 4).parentVersion(3).loraConfig(Checkpoints.LORA.replace("8", "16")).build(),
                header("default", 4).parentVersion(3).metrics(Map.of("accuracy", 0.99, "macro_f1", 0.88)).build(),
                header("default", 4).parentVersion(3).lineage(List.of(new OffsetRange("reviews.tokenized", 0, 0L, 9L))).build(),
                header("default", 4).parentVersion(3).createdAt(original.createdAt().plusMillis(1)).build(),
                header("default", 4).parentVersion(3).rollout(dev.sentiflow.avro.Rollout.CHALLENGER).build(),
                CheckpointHeader.builder("default", 4, CheckpointKind.FULL).baseModelHash(original.baseModelHash())
                        .tokenizerId(original.tokenizerId()).labels(original.labels()).metrics(original.metrics())
                        .loraConfig(Checkpoints.LORA).lineage(original.lineage()).parentVersion(3)
                        .createdAt(original.createdAt()).build());
        for (CheckpointHeader forged : forgeries) {
            assertEquals(SignatureCheck.FORGED, KEY.verify(forged, SHA, signature), forged.toString());
        }
        assertEquals(SignatureCheck.FORGED, KEY.verify(original, "f".repeat(64), signature));
    }

    @Test
    void aChallengerCannotBePassedOffAsAChampionNorTheOtherWayRound() {
        CheckpointHeader challenger = header("default", 4).rollout(dev.sentiflow.avro.Rollout.CHALLENGER).build();
        byte[] signature = KEY.sign(challenger, SHA);
        assertEquals(SignatureCheck.VALID, KEY.verify(challenger, SHA, signature));
        assertEquals(SignatureCheck.FORGED, KEY.verify(header("default", 4).build(), SHA, signature));
        // A champion's bytes are what they were before the field existed: older signatures still verify.
        CheckpointHeader champion = header("default", 4).build();
        assertArrayEquals(CheckpointSigner.canonicalBytes(champion, SHA), java.util.Arrays.copyOf(
                CheckpointSigner.canonicalBytes(challenger, SHA), CheckpointSigner.canonicalBytes(champion, SHA).length));
    }

    @Test
    void fieldBoundariesCannotBeShifted() {
        CheckpointHeader ab = header("m", 1).labels(List.of("ab", "c")).build();
        CheckpointHeader a = header("m", 1).labels(List.of("a", "bc")).build();
        assertEquals(SignatureCheck.FORGED, KEY.verify(a, SHA, KEY.sign(ab, SHA)));
    }

    @Test
    void theAssemblerRequiresAValidSignatureWhenAKeyIsConfigured() {
        byte[] payload = random(2500, 1);
        List<ModelCheckpoint> signed = new CheckpointChunker(1000, Optional.of(KEY)).chunk(header("m", 1).build(), payload);
        List<ModelCheckpoint> unsigned = new CheckpointChunker(1000, Optional.empty()).chunk(header("m", 1).build(), payload);
        List<ModelCheckpoint> otherKey = new CheckpointChunker(1000, Optional.of(OTHER_KEY)).chunk(header("m", 1).build(), payload);
        assertNotNull(signed.get(2).getSignature());
        assertNull(unsigned.get(0).getSignature());

        assertInstanceOf(Complete.class, last(new CheckpointAssembler(1 << 20, Optional.of(KEY)), signed));
        assertEquals(AssemblyProblem.UNSIGNED, problem(new CheckpointAssembler(1 << 20, Optional.of(KEY)), unsigned));
        assertEquals(AssemblyProblem.WRONG_KEY, problem(new CheckpointAssembler(1 << 20, Optional.of(KEY)), otherKey));
        // Without a key configured, signatures are not checked.
        assertInstanceOf(Complete.class, last(new CheckpointAssembler(1 << 20, Optional.empty()), unsigned));
        assertInstanceOf(Complete.class, last(new CheckpointAssembler(1 << 20, Optional.empty()), otherKey));
    }

    @Test
    void forgedMetadataOnTheWireIsRefusedBeforeAnyBytesAreHeld() {
        List<ModelCheckpoint> signed = new CheckpointChunker(1000, Optional.of(KEY))
                .chunk(header("m", 1).build(), random(2500, 2));
        assertForged(signed, c -> c.setLabels(List.of("positive", "negative")));
        assertForged(signed, c -> c.setBaseModelHash("base-of-another-model"));
        assertForged(signed, c -> c.setLoraConfig(Checkpoints.LORA.replace("\"r\":8", "\"r\":64")));
        assertForged(signed, c -> c.setMetrics(Map.of("accuracy", 1.0)));
        assertForged(signed, c -> {
            // Bytes and hash replaced together: the hash is signed, so this fails too.
            byte[] forged = random(1000, 3);
            c.setPayload(ByteBuffer.wrap(forged));
            c.setSha256(Sha256.hex(forged));
        });
    }

    private static void assertForged(List<ModelCheckpoint> signed, Consumer<ModelCheckpoint> tamper) {
        CheckpointAssembler assembler = new CheckpointAssembler(1 << 20, Optional.of(KEY));
        ModelCheckpoint first = wire(signed.get(0));
        tamper.accept(first);
        Rejected rejected = assertInstanceOf(Rejected.class, assembler.accept(first));
        assertEquals(AssemblyProblem.FORGED_SIGNATURE, rejected.problem(), rejected.detail());
        assertTrue(rejected.detail().contains("altered"), rejected.detail());
        assertEquals(0, assembler.pendingBytes());
    }

    @Test
    void anEmptySecretMeansUnsigned() {
        assertTrue(CheckpointSigner.fromSecret("").isEmpty());
        assertTrue(CheckpointSigner.fromSecret(null).isEmpty());
    }

    private static AssemblyResult last(CheckpointAssembler assembler, List<ModelCheckpoint> chunks) {
        AssemblyResult result = null;
        for (ModelCheckpoint chunk : chunks) {
            result = assembler.accept(wire(chunk));
        }
        return result;
    }

    private static AssemblyProblem problem(CheckpointAssembler assembler, List<ModelCheckpoint> chunks) {
        return assertInstanceOf(Rejected.class, assembler.accept(wire(chunks.get(0)))).problem();
    }
}
