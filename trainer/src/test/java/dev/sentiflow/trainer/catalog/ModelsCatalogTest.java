package dev.sentiflow.trainer.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.LiveRole;
import dev.sentiflow.avro.Rollout;
import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.CheckpointHeader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The trainer's champion is the version inference serves, as the committed rollout decisions say. */
class ModelsCatalogTest {

    private static final Instant T = Instant.parse("2026-12-06T12:00:00Z");

    private static AssembledCheckpoint checkpoint(long version, Rollout rollout) {
        CheckpointHeader header = CheckpointHeader.builder("default", version, CheckpointKind.ADAPTER)
                .baseModelHash("base").tokenizerId("tok").labels(List.of("negative", "positive"))
                .metrics(Map.of("accuracy", 0.8 + version / 100.0))
                .loraConfig("{\"r\":8,\"lora_alpha\":32.0}").createdAt(T).rollout(rollout).build();
        return new AssembledCheckpoint(header, "sha" + version, new byte[] {(byte) version});
    }

    private static LiveMetrics decision(long version, RolloutAction action) {
        return LiveMetrics.newBuilder().setModelName("default").setModelVersion(version).setRole(LiveRole.CHALLENGER)
                .setWindowStart(T).setWindowEnd(T).setLabeledCount(200).setAccuracy(0.9).setMacroF1(0.9)
                .setPerDomain(Map.of()).setDecision(action + " default v" + version).setAction(action)
                .setComparedVersion(version - 1).setComparedAccuracy(0.8).setCreatedAt(T).build();
    }

    private static long champion(ModelsCatalog catalog) {
        return catalog.champion("default").orElseThrow().version();
    }

    @Test
    void aChallengerBecomesTheChampionOnlyWhenPromotedAndStopsBeingItWhenRolledBack() {
        ModelsCatalog catalog = new ModelsCatalog();
        catalog.published(checkpoint(1, Rollout.CHAMPION), 1);
        catalog.published(checkpoint(2, Rollout.CHALLENGER), 1);
        assertEquals(1, champion(catalog), "a challenger waiting for its decision is not what inference serves");
        Optional<String> change = catalog.decided(decision(2, RolloutAction.PROMOTED));
        assertEquals(2, champion(catalog));
        assertTrue(change.orElseThrow().contains("now v2 (was v1)"), change.get());
        // A contrary proposal committed later by another instance changes nothing.
        assertEquals(Optional.empty(), catalog.decided(decision(2, RolloutAction.REJECTED)));
        assertEquals(2, champion(catalog));
        catalog.decided(decision(2, RolloutAction.ROLLED_BACK));
        assertEquals(1, champion(catalog), "rolled back: its predecessor serves again");
        assertEquals(3, catalog.nextVersion("default"), "numbering goes on from the newest version published");
    }

    @Test
    void aRejectedChallengerLeavesTheChampionWhereItWas() {
        ModelsCatalog catalog = new ModelsCatalog();
        catalog.published(checkpoint(1, Rollout.CHAMPION), 1);
        catalog.published(checkpoint(2, Rollout.CHALLENGER), 1);
        assertEquals(Optional.empty(), catalog.decided(decision(2, RolloutAction.REJECTED)));
        assertEquals(1, champion(catalog));
        // Later versions published as champions serve at once, as they do in inference.
        catalog.published(checkpoint(3, Rollout.CHAMPION), 1);
        assertEquals(3, champion(catalog));
    }

    @Test
    void decisionsReadBeforeTheCheckpointsApplyWhenTheyArrive() {
        ModelsCatalog catalog = new ModelsCatalog();
        catalog.decided(decision(2, RolloutAction.REJECTED));
        catalog.published(checkpoint(1, Rollout.CHAMPION), 1);
        catalog.published(checkpoint(2, Rollout.CHALLENGER), 1);
        assertEquals(1, champion(catalog));
    }

    @Test
    void withOnlyARejectedVersionLeftItIsTheChampionAsInferenceServesItToo() {
        ModelsCatalog catalog = new ModelsCatalog();
        catalog.decided(decision(5, RolloutAction.REJECTED));
        catalog.published(checkpoint(5, Rollout.CHALLENGER), 1);
        assertEquals(5, champion(catalog));
    }

    @Test
    void theChampionIsKeptWhileNewerChallengersPileUp() {
        ModelsCatalog catalog = new ModelsCatalog();
        catalog.published(checkpoint(1, Rollout.CHAMPION), 1);
        for (long v = 2; v <= 2 + ModelsCatalog.RETAINED; v++) {
            catalog.published(checkpoint(v, Rollout.CHALLENGER), 1);
        }
        assertEquals(1, champion(catalog));
        catalog.decided(decision(1 + ModelsCatalog.RETAINED, RolloutAction.PROMOTED));
        assertEquals(1 + ModelsCatalog.RETAINED, champion(catalog));
    }
}
