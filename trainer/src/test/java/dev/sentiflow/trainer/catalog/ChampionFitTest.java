package dev.sentiflow.trainer.catalog;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.modeldata.checkpoint.CheckpointFile;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.LoraConfigJson;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.HostTensor;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.CheckpointHeader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A trainer started with settings its champion was not trained with stops at start, naming what
 * differs, instead of failing every round when it scores the champion; another trainer's models on
 * the same topic are left alone.
 */
class ChampionFitTest {

    private static final List<String> LABELS = List.of("negative", "positive");
    private static final LoraConfig LORA = LoraConfig.defaults();
    private static final ModelIdentity OURS = new ModelIdentity("base", Optional.of(LORA), LABELS, "tok", 128);

    @Test
    void aChampionTrainedAsThisTrainerTrainsFits() {
        ModelsCatalog catalog = catalogWith("default", LORA, 128);
        assertDoesNotThrow(() -> ChampionFit.check(catalog, "default"::equals, OURS, "models"));
    }

    @Test
    void aChangedRankOrMaxLengthStopsTheTrainerNamingBoth() {
        ModelsCatalog catalog = catalogWith("default", LORA.withRank(4, LORA.alpha()), 64);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ChampionFit.check(catalog, "default"::equals, OURS, "models"));
        assertTrue(e.getMessage().contains("champion v1"), e.getMessage());
        assertTrue(e.getMessage().contains("r=4"), e.getMessage());
        assertTrue(e.getMessage().contains("max length 64"), e.getMessage());
        assertTrue(e.getMessage().contains("model.name"), "names the way out: " + e.getMessage());
    }

    @Test
    void anotherTrainersModelIsNotChecked() {
        ModelsCatalog catalog = catalogWith("other", LORA.withRank(4, LORA.alpha()), 64);
        assertDoesNotThrow(() -> ChampionFit.check(catalog, "default"::equals, OURS, "models"));
    }

    private static ModelsCatalog catalogWith(String model, LoraConfig lora, int maxLength) {
        byte[] payload = CheckpointFile.encode(Map.of("classifier.weight", HostTensor.of(new float[] {1, 2}, 1, 2)),
                new CheckpointMetadata(dev.sentiflow.modeldata.checkpoint.CheckpointKind.ADAPTER, "base", Optional.of(lora), LABELS, "tok", maxLength));
        CheckpointHeader header = CheckpointHeader.builder(model, 1, CheckpointKind.ADAPTER).baseModelHash("base")
                .tokenizerId("tok").labels(LABELS).metrics(Map.of("accuracy", 0.9))
                .loraConfig(LoraConfigJson.toText(lora)).createdAt(Instant.EPOCH).build();
        ModelsCatalog catalog = new ModelsCatalog();
        catalog.published(new AssembledCheckpoint(header, "sha", payload), 1);
        return catalog;
    }
}
