package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LinearWarmupScheduleTest {

    @Test
    void risesThenFallsToZeroLikeHuggingFace() {
        // peak 1e-3, 10 warm-up steps of 100
        LinearWarmupSchedule s = new LinearWarmupSchedule(1e-3, 10, 100);
        assertEquals(0.0, s.learningRate(0), 0);
        assertEquals(1e-4, s.learningRate(1), 1e-15);
        assertEquals(5e-4, s.learningRate(5), 1e-15);
        assertEquals(1e-3, s.learningRate(10), 1e-15);
        assertEquals(1e-3 * 45 / 90, s.learningRate(55), 1e-15);
        assertEquals(1e-3 * 1 / 90, s.learningRate(99), 1e-15);
        assertEquals(0.0, s.learningRate(100), 0);
        assertEquals(0.0, s.learningRate(150), 0);
    }

    @Test
    void withoutWarmupStartsAtPeak() {
        LinearWarmupSchedule s = new LinearWarmupSchedule(2.0, 0, 4);
        assertEquals(2.0, s.learningRate(0), 0);
        assertEquals(1.0, s.learningRate(2), 0);
    }

    @Test
    void rejectsWarmupLongerThanTraining() {
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmupSchedule(1, 5, 4));
    }
}
