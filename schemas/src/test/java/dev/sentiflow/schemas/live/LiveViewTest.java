package dev.sentiflow.schemas.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.LiveRole;
import dev.sentiflow.avro.RolloutAction;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveViewTest {

    private static LiveMetrics window(String task, long version, long count, double accuracy, long endMillis) {
        return LiveMetrics.newBuilder().setModelName("default").setModelVersion(version).setRole(LiveRole.CHAMPION)
                .setWindowStart(Instant.ofEpochMilli(0)).setWindowEnd(Instant.ofEpochMilli(endMillis))
                .setLabeledCount(count).setAccuracy(accuracy).setMacroF1(accuracy).setPerDomain(Map.of())
                .setTask(task).setCreatedAt(Instant.ofEpochMilli(endMillis)).build();
    }

    @Test
    void theWindowsOfAllTasksAddUpWeightedByTheirCounts() {
        LiveView view = new LiveView();
        view.add(window("0_0", 2, 300, 0.9, 1_000));
        view.add(window("0_1", 2, 100, 0.5, 1_100));
        var combined = view.of("default", 2).orElseThrow();
        assertEquals(400, combined.labeledCount());
        assertEquals(0.8, combined.accuracy(), 1e-12); // (270 + 50) / 400, not the newest window's 0.5
        assertEquals(2, combined.tasks());
    }

    @Test
    void aTasksNewerWindowReplacesItsOlderOneAndAnOutOfOrderOneDoesNot() {
        LiveView view = new LiveView();
        view.add(window("0_0", 2, 100, 0.6, 1_000));
        view.add(window("0_0", 2, 200, 0.9, 2_000));
        view.add(window("0_0", 2, 50, 0.1, 1_500)); // late, older than what the task already reported
        var combined = view.of("default", 2).orElseThrow();
        assertEquals(200, combined.labeledCount());
        assertEquals(0.9, combined.accuracy(), 1e-12);
    }

    @Test
    void aVersionNoLongerServedKeepsTheLastWindowsOfEachTask() {
        LiveView view = new LiveView();
        view.add(window("0_0", 1, 400, 0.6, 500));
        view.add(window("0_0", 1, 500, 0.7, 1_000));
        view.add(window("0_1", 1, 500, 0.7, 1_000));
        view.add(window("0_0", 2, 100, 0.95, 2_000));
        assertEquals(100, view.of("default", 2).orElseThrow().labeledCount());
        assertEquals(1000, view.of("default", 1).orElseThrow().labeledCount());
        assertEquals(java.util.List.of(1L, 2L), view.versions("default").stream().map(LiveView.Combined::version).toList());
        assertTrue(view.versions("other").isEmpty());
        assertTrue(view.scoredAny(2));
        assertFalse(view.scoredAny(3));
        assertEquals(2L, view.newestVersion("default").orElseThrow());
        assertTrue(view.of("default", 3).isEmpty());
        assertTrue(view.of("other", 2).isEmpty());
    }

    @Test
    void decisionsAndChallengerWindowsAreNotServingWindows() {
        LiveView view = new LiveView();
        LiveMetrics challenger = window("0_0", 3, 100, 1.0, 1_000);
        challenger.setRole(LiveRole.CHALLENGER);
        LiveMetrics decision = window(null, 3, 100, 1.0, 1_000);
        decision.setAction(RolloutAction.PROMOTED);
        decision.setDecision("PROMOTED default v3 over v2");
        assertFalse(view.add(challenger));
        assertFalse(view.add(decision));
        assertTrue(view.of("default", 3).isEmpty());
    }

    @Test
    void recordsWithoutATaskCountAsOneTask() {
        LiveView view = new LiveView();
        view.add(window(null, 2, 100, 0.6, 1_000));
        view.add(window(null, 2, 300, 0.8, 2_000));
        var combined = view.of("default", 2).orElseThrow();
        assertEquals(300, combined.labeledCount());
        assertEquals(1, combined.tasks());
    }
}
