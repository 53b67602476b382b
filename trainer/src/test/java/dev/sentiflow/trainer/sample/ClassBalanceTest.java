package dev.sentiflow.trainer.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassBalanceTest {

    record Example(int id, String label) {}

    private static List<Example> skewed() {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            examples.add(new Example(i, i % 4 == 0 ? "negative" : "positive"));
        }
        examples.add(new Example(40, "neutral"));
        examples.add(new Example(41, "neutral"));
        examples.add(new Example(42, "neutral"));
        return examples;
    }

    @Test
    void countsPerLabel() {
        assertEquals(Map.of("negative", 10L, "neutral", 3L, "positive", 30L), ClassBalance.counts(skewed(), Example::label));
    }

    @Test
    void downsamplesEveryClassToTheRarestKeepingOrder() {
        List<Example> balanced = ClassBalance.downsample(skewed(), Example::label, 5);
        assertEquals(Map.of("negative", 3L, "neutral", 3L, "positive", 3L), ClassBalance.counts(balanced, Example::label));
        for (int i = 1; i < balanced.size(); i++) {
            assertTrue(balanced.get(i - 1).id() < balanced.get(i).id(), "order kept: " + balanced);
        }
    }

    @Test
    void theSameSeedChoosesTheSameExamples() {
        assertEquals(ClassBalance.downsample(skewed(), Example::label, 5), ClassBalance.downsample(skewed(), Example::label, 5));
        assertNotEquals(ClassBalance.downsample(skewed(), Example::label, 5),
                ClassBalance.downsample(skewed(), Example::label, 6));
        assertEquals(List.of(), ClassBalance.downsample(List.<Example>of(), Example::label, 5));
    }
}
