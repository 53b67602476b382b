package dev.sentiflow.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.trainer.split.EvalSplit;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RepeatIdsTest {

    @Test
    void aRepeatKeepsItsOriginalsSideOfTheTrainersSplitAndEveryIdIsNew() {
        for (double share : new double[] {0.1, 0.2, 0.5}) {
            EvalSplit split = new EvalSplit(share);
            RepeatIds ids = new RepeatIds(split);
            Set<String> seen = new HashSet<>();
            int moved = 0;
            for (int line = 2; line < 2000; line++) {
                String id = "uci:" + line;
                assertTrue(seen.add(ids.of(id, 1)));
                assertEquals(id, ids.of(id, 1));
                for (long pass = 2; pass <= 4; pass++) {
                    String repeat = ids.of(id, pass);
                    assertTrue(repeat.startsWith(id + "#" + pass), repeat);
                    assertEquals(split.isEval(id), split.isEval(repeat), repeat);
                    assertTrue(seen.add(repeat), "ids are fresh: " + repeat);
                    moved += repeat.equals(id + "#" + pass) ? 0 : 1;
                }
            }
            // The plain ID#P lands on the other side often enough that the rule is exercised at every share.
            assertTrue(moved > 50, "share " + share + ": " + moved);
        }
    }

    @Test
    void theSameIdAndPassAlwaysGiveTheSameRepeat() {
        RepeatIds ids = new RepeatIds(new EvalSplit(0.1));
        assertEquals(ids.of("uci:17", 3), new RepeatIds(new EvalSplit(0.1)).of("uci:17", 3));
        assertThrows(IllegalArgumentException.class, () -> ids.of("uci:17", 0));
    }
}
