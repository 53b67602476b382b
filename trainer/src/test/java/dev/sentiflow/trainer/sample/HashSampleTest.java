package dev.sentiflow.trainer.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HashSampleTest {

    private static List<String> ids(int n) {
        return IntStream.range(0, n).mapToObj(i -> "review-" + i).toList();
    }

    @Test
    void theSampleDependsOnWhichIdsNotOnTheirOrder() {
        List<String> ids = new ArrayList<>(ids(5000));
        HashSample<String> first = new HashSample<>(300, "replay");
        ids.forEach(id -> first.offer(id, id));
        Collections.shuffle(ids, new Random(7));
        HashSample<String> shuffled = new HashSample<>(300, "replay");
        ids.forEach(id -> shuffled.offer(id, id));
        assertEquals(first.items(), shuffled.items());
        assertEquals(300, first.size());
        HashSample<String> otherSalt = new HashSample<>(300, "eval");
        ids.forEach(id -> otherSalt.offer(id, id));
        assertNotEquals(first.items(), otherSalt.items(), "salts must give independent samples");
    }

    @Test
    void reofferingAnIdReplacesItAndTheSampleIsRoughlyUniform() {
        HashSample<String> sample = new HashSample<>(1000, "s");
        ids(10_000).forEach(id -> sample.offer(id, id));
        ids(10_000).forEach(id -> sample.offer(id, id + "'"));
        assertEquals(1000, sample.size());
        assertTrue(sample.items().stream().allMatch(s -> s.endsWith("'")), "re-offered ids replace themselves");
        // Uniform over the ids: about a tenth of the first half is kept (binomial sd ~ 21).
        long firstHalf = sample.items().stream().filter(s -> Integer.parseInt(s.replaceAll("\\D", "")) < 5000).count();
        assertTrue(Math.abs(firstHalf - 500) < 100, "first-half share " + firstHalf);
    }
}
