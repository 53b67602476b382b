package dev.sentiflow.trainer.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.text.data.StableSplit;
import org.junit.jupiter.api.Test;

class EvalSplitTest {

    @Test
    void holdsOutAboutOneInTenByDefault() {
        EvalSplit split = new EvalSplit();
        int eval = 0;
        for (int i = 0; i < 20_000; i++) {
            if (split.isEval("review-" + i)) {
                eval++;
            }
        }
        assertTrue(eval > 1800 && eval < 2200, eval + " of 20000 held out");
        assertEquals(EvalSplit.DEFAULT_EVAL_SHARE, split.evalShare());
    }

    @Test
    void decidesExactlyAsTheModelModulesStableHash() {
        EvalSplit split = new EvalSplit(0.3);
        StableSplit stable = new StableSplit(0.3);
        int eval = 0;
        for (int i = 0; i < 1000; i++) {
            String id = "id-" + i;
            assertEquals(stable.isEval(id), split.isEval(id), id);
            assertNotEquals(split.isEval(id), split.isTrain(id), id);
            eval += split.isEval(id) ? 1 : 0;
        }
        assertTrue(eval > 0 && eval < 1000);
    }

    @Test
    void aShareOutsideTheOpenUnitIntervalIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EvalSplit(0.0));
        assertThrows(IllegalArgumentException.class, () -> new EvalSplit(1.0));
    }
}
