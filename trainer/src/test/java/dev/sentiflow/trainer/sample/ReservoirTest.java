package dev.sentiflow.trainer.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReservoirTest {

    @Test
    void keepsEverythingUntilFullThenStaysAtCapacity() {
        Reservoir<Integer> reservoir = new Reservoir<>(5, 1);
        for (int i = 0; i < 3; i++) {
            assertTrue(reservoir.offer(i));
        }
        assertEquals(List.of(0, 1, 2), reservoir.items());
        int kept = 0;
        for (int i = 3; i < 1000; i++) {
            kept += reservoir.offer(i) ? 1 : 0;
        }
        assertEquals(5, reservoir.size());
        assertEquals(1000, reservoir.seen());
        assertEquals(5, reservoir.capacity());
        // Expected replacements: sum over n = 6..1000 of 5/n, about 26; far fewer than the 995 offered.
        assertTrue(kept > 5 && kept < 100, kept + " kept");
    }

    @Test
    void theSameStreamAndSeedGiveTheSameSample() {
        assertEquals(sample(10, 1000, 7), sample(10, 1000, 7));
        assertNotEquals(sample(10, 1000, 7), sample(10, 1000, 8));
    }

    @Test
    void everyItemIsEquallyLikelyToBeKept() {
        int capacity = 10;
        int stream = 100;
        int trials = 20_000;
        int[] kept = new int[stream];
        for (int trial = 0; trial < trials; trial++) {
            sample(capacity, stream, trial).forEach(i -> kept[i]++);
        }
        double expected = (double) trials * capacity / stream; // 2000
        for (int i = 0; i < stream; i++) {
            // 4.7 standard deviations (sqrt(2000 * 0.9) = 42) on either side: early and late items alike.
            assertTrue(Math.abs(kept[i] - expected) < 200, "item " + i + " kept " + kept[i] + " times, expected ~" + expected);
        }
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Reservoir<String>(0, 1));
        assertTrue(e.getMessage().contains("capacity"), e.getMessage());
    }

    private static List<Integer> sample(int capacity, int stream, long seed) {
        Reservoir<Integer> reservoir = new Reservoir<>(capacity, seed);
        IntStream.range(0, stream).forEach(reservoir::offer);
        return List.copyOf(reservoir.items());
    }
}
