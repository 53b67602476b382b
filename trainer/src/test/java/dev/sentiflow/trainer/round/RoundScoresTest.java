package dev.sentiflow.trainer.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoundScoresTest {

    private static final List<String> LABELS = List.of("negative", "positive");

    @Test
    void overallAndPerDomainScoresFromPredictions() {
        RoundScores scores = RoundScores.of(LABELS, List.of(
                new ScoredExample("yelp", 0, 0), new ScoredExample("yelp", 0, 1),
                new ScoredExample("yelp", 1, 1), new ScoredExample("yelp", 1, 1),
                new ScoredExample("amazon", 1, 1), new ScoredExample("amazon", 1, 1)));

        // negative: P 1, R 1/2, F1 2/3; positive: P 4/5, R 1, F1 8/9.
        assertScores(6, 5.0 / 6, (2.0 / 3 + 8.0 / 9) / 2, scores.overall());
        // negative: F1 2/3; positive: P 2/3, R 1, F1 4/5.
        assertScores(4, 0.75, (2.0 / 3 + 0.8) / 2, scores.perDomain().get("yelp"));
        // Only positive occurs in amazon, so its macro-F1 is positive's F1 alone.
        assertScores(2, 1.0, 1.0, scores.perDomain().get("amazon"));
        assertEquals(List.of("amazon", "yelp"), List.copyOf(scores.perDomain().keySet()));
    }

    @Test
    void theMajorityBaselineAlwaysPredictsTheMostFrequentClass() {
        RoundScores scores = RoundScores.of(LABELS, List.of(
                new ScoredExample("d", 0, 0), new ScoredExample("d", 0, 0),
                new ScoredExample("d", 1, 0), new ScoredExample("d", 1, 1),
                new ScoredExample("d", 1, 1), new ScoredExample("d", 1, 1)));
        // Always positive: accuracy 4/6; positive F1 = 2 * (2/3) / (1 + 2/3) = 0.8, negative 0.
        assertScores(6, 4.0 / 6, 0.4, scores.majorityBaseline());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RoundScores.of(LABELS, List.of()));
        assertThrows(IllegalArgumentException.class, () -> RoundScores.of(LABELS, List.of(new ScoredExample("d", 2, 0))));
    }

    private static void assertScores(long count, double accuracy, double macroF1, Scores actual) {
        assertEquals(count, actual.count());
        assertEquals(accuracy, actual.accuracy(), 1e-12);
        assertEquals(macroF1, actual.macroF1(), 1e-12);
    }
}
