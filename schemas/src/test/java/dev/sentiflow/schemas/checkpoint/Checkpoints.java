package dev.sentiflow.schemas.checkpoint;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.OffsetRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test fixtures: headers, payloads and a trip through Avro's binary encoding. */
final class Checkpoints {

    static final String LORA = "{\"r\":8,\"lora_alpha\":32.0,\"lora_dropout\":0.1,\"target_modules\":[\"query\",\"value\"]}";

    private Checkpoints() {
    }

    static CheckpointHeader.Builder header(String name, long version) {
        return CheckpointHeader.builder(name, version, CheckpointKind.ADAPTER)
                .baseModelHash("base-" + "ab".repeat(8))
                .tokenizerId("tok-1234")
                .labels(List.of("negative", "positive"))
                .metrics(Map.of("accuracy", 0.9, "macro_f1", 0.88))
                .loraConfig(LORA)
                .lineage(List.of(new OffsetRange("reviews.tokenized", 0, 0L, 1200L),
                        new OffsetRange("reviews.tokenized", 1, 40L, 1190L)))
                .createdAt(Instant.parse("2026-03-01T12:00:00.123Z"));
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** What a consumer of the topic gets: the record encoded and decoded again. */
    static ModelCheckpoint wire(ModelCheckpoint chunk) {
        try {
            ByteBuffer encoded = ModelCheckpoint.getEncoder().encode(chunk);
            return ModelCheckpoint.getDecoder().decode(encoded);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ModelCheckpoint> shuffled(List<ModelCheckpoint> chunks, long seed) {
        List<ModelCheckpoint> copy = new ArrayList<>(chunks);
        Collections.shuffle(copy, new Random(seed));
        return copy;
    }
}
