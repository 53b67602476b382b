package dev.sentiflow.modeldata.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    private static final double EPS = 1e-12;

    @Test
    void scoresMatchHandComputedValues() {
        // true:      0 0 0 0 1 1 1 2 2 2
        // predicted: 0 0 1 2 1 1 0 2 2 1
        int[] actual = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
        int[] predicted = {0, 0, 1, 2, 1, 1, 0, 2, 2, 1};
        ConfusionMatrix m = ConfusionMatrix.of(List.of("a", "b", "c"), actual, predicted);

        assertEquals(6.0 / 10, m.accuracy(), EPS);
        assertEquals(2, m.count(0, 0));
        assertEquals(1, m.count(0, 2));
        assertEquals(1, m.count(2, 1));

        // class a: tp 2, predicted 3, support 4 -> p 2/3, r 1/2, f1 4/7
        ClassScores a = m.scores(0);
        assertEquals(2.0 / 3, a.precision(), EPS);
        assertEquals(0.5, a.recall(), EPS);
        assertEquals(4.0 / 7, a.f1(), EPS);
        assertEquals(4, a.support());
        // class b: tp 2, predicted 4, support 3 -> p 1/2, r 2/3, f1 4/7
        ClassScores b = m.scores(1);
        assertEquals(0.5, b.precision(), EPS);
        assertEquals(2.0 / 3, b.recall(), EPS);
        assertEquals(4.0 / 7, b.f1(), EPS);
        // class c: tp 2, predicted 3, support 3 -> p 2/3, r 2/3, f1 2/3
        ClassScores c = m.scores(2);
        assertEquals(2.0 / 3, c.precision(), EPS);
        assertEquals(2.0 / 3, c.recall(), EPS);
        assertEquals(2.0 / 3, c.f1(), EPS);

        assertEquals((4.0 / 7 + 4.0 / 7 + 2.0 / 3) / 3, m.macroF1(), EPS);
    }

    @Test
    void classNeverPredictedHasPrecisionZeroLikeSklearn() {
        // Everything predicted as class 0: class 1 has no predictions.
        ConfusionMatrix m = ConfusionMatrix.of(List.of("neg", "pos"), new int[] {0, 0, 1, 1, 1}, new int[] {0, 0, 0, 0, 0});
        ClassScores pos = m.scores(1);
        assertEquals(0.0, pos.precision(), EPS);
        assertEquals(0.0, pos.recall(), EPS);
        assertEquals(0.0, pos.f1(), EPS);
        // neg: p 2/5, r 1 -> f1 = 2*0.4/1.4 = 4/7; macro = 2/7
        assertEquals(4.0 / 7, m.scores(0).f1(), EPS);
        assertEquals(2.0 / 7, m.macroF1(), EPS);
        assertEquals(0.4, m.accuracy(), EPS);
    }

    @Test
    void rejectsOutOfRangeClass() {
        ConfusionMatrix m = new ConfusionMatrix(List.of("x", "y"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.add(0, 2));
        assertTrue(e.getMessage().contains("predicted class index 2"), e.getMessage());
    }

    @Test
    void formatShowsCountsByRow() {
        ConfusionMatrix m = ConfusionMatrix.of(List.of("neg", "pos"), new int[] {0, 1, 1}, new int[] {0, 0, 1});
        String[] lines = m.format().split("\n");
        assertEquals(3, lines.length);
        assertTrue(lines[1].trim().matches("neg\\s+1\\s+0"), lines[1]);
        assertTrue(lines[2].trim().matches("pos\\s+1\\s+1"), lines[2]);
    }
}
