package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BestEpochTrackerTest {

    @Test
    void stopsAfterPatienceEpochsWithoutImprovement() {
        BestEpochTracker t = new BestEpochTracker(2);
        assertTrue(t.record(1, 0.50));
        assertTrue(t.record(2, 0.40));
        assertFalse(t.record(3, 0.45));
        assertFalse(t.shouldStop());
        assertFalse(t.record(4, 0.40), "equal is not better");
        assertTrue(t.shouldStop());
        assertEquals(2, t.bestEpoch());
        assertEquals(0.40, t.bestLoss());
    }

    @Test
    void patienceZeroNeverStops() {
        BestEpochTracker t = new BestEpochTracker(0);
        t.record(1, 0.1);
        for (int e = 2; e < 10; e++) {
            t.record(e, 1.0);
        }
        assertFalse(t.shouldStop());
        assertEquals(1, t.bestEpoch());
    }
}
