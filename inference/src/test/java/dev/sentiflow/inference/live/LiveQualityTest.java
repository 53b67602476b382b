package dev.sentiflow.inference.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.LiveMetrics;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveQualityTest {

    private static final List<String> LABELS = List.of("negative", "positive");

    @Test
    void aSlidingWindowPerVersionWithPerDomainScores() {
        LiveQuality quality = new LiveQuality(LABELS, 4);
        // v1: 6 labeled, the window keeps the last 4 (3 right, 1 wrong)
        quality.add("m", 1, "a", "positive", "negative", 1);
        quality.add("m", 1, "a", "positive", "negative", 2);
        quality.add("m", 1, "a", "positive", "positive", 3);
        quality.add("m", 1, "b", "negative", "negative", 4);
        quality.add("m", 1, "b", "negative", "positive", 5);
        quality.add("m", 1, "b", "positive", "positive", 6);
        quality.add("m", 2, "a", "negative", "negative", 7);
        quality.add("m", 2, "a", "meh", "negative", 8); // unknown label: ignored
        List<LiveMetrics> reports = quality.changed(Instant.ofEpochMilli(10));
        assertEquals(2, reports.size());
        LiveMetrics v1 = reports.stream().filter(r -> r.getModelVersion() == 1).findFirst().orElseThrow();
        assertEquals(4, v1.getLabeledCount());
        assertEquals(0.75, v1.getAccuracy(), 1e-9);
        assertEquals(Instant.ofEpochMilli(3), v1.getWindowStart());
        assertEquals(1L, v1.getPerDomain().get("a").getCount());
        assertEquals(3L, v1.getPerDomain().get("b").getCount());
        assertEquals(2.0 / 3, v1.getPerDomain().get("b").getAccuracy(), 1e-9);
        LiveMetrics v2 = reports.stream().filter(r -> r.getModelVersion() == 2).findFirst().orElseThrow();
        assertEquals(1, v2.getLabeledCount());
        assertTrue(quality.changed(Instant.ofEpochMilli(11)).isEmpty(), "nothing new, nothing to report");
        quality.add("m", 3, "a", "negative", "negative", 12);
        quality.retainNewest(2);
        quality.add("m", 1, "a", "negative", "negative", 13); // v1 was dropped: it starts a fresh window
        assertEquals(1, quality.changed(Instant.ofEpochMilli(14)).stream()
                .filter(r -> r.getModelVersion() == 1).findFirst().orElseThrow().getLabeledCount());
    }
}
