package dev.sentiflow.inference.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchBudgetTest {

    private static final BatchPolicy POLICY = new BatchPolicy(64, Duration.ofMillis(50), 4096, Duration.ofSeconds(2));

    @Test
    void rowsTimesTheLongestRowStayWithinTheTokenBound() {
        BatchBudget budget = new BatchBudget(POLICY);
        int[] short64 = new int[100];
        Arrays.fill(short64, 64);
        assertEquals(64, budget.take(short64), "64 rows of 64 tokens: the row bound");
        int[] long512 = new int[100];
        Arrays.fill(long512, 512);
        assertEquals(8, budget.take(long512), "8 x 512 = 4096");
        // One long row among short ones makes the whole batch that long (padding).
        assertEquals(2, budget.take(new int[] {10, 10, 2000, 10, 10}), "3 x 2000 would pass 4096");
        assertEquals(1, budget.take(new int[] {8192, 10}), "a record alone is never split");
    }

    /** 64 x 512 tokens took over 10 s on 2 cores: once measured, batches shrink to what fits the time. */
    @Test
    void aMeasuredCostCutsBatchesToTheTimeBound() {
        BatchBudget budget = new BatchBudget(new BatchPolicy(64, Duration.ofMillis(50), 64 * 512, Duration.ofSeconds(2)));
        int[] long512 = new int[64];
        Arrays.fill(long512, 512);
        assertEquals(64, budget.take(long512), "no measurement yet: only the token bound");
        budget.scored(64, 512, Duration.ofSeconds(11).toNanos());
        int rows = budget.take(long512);
        assertTrue(rows >= 10 && rows <= 12, "2 s of 11 s is 11 rows of 64: " + rows);
        // Shadow scoring doubles the measured time, and the budget follows it.
        for (int i = 0; i < 20; i++) {
            budget.scored(rows, 512, Duration.ofSeconds(22).toNanos() * rows / 64);
        }
        int shadowed = budget.take(long512);
        assertTrue(shadowed >= 5 && shadowed <= 6, "about half: " + shadowed);
    }
}
