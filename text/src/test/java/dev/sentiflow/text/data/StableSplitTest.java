package dev.sentiflow.text.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StableSplitTest {

    @Test
    void bucketIsTheTopBitsOfSha256() {
        // sha256("abc") = ba7816bf 8f01cfea ...; top 53 bits / 2^53
        long top = 0xba7816bf8f01cfeaL;
        assertEquals((top >>> 11) * 0x1.0p-53, StableSplit.bucket("abc"), 0.0);
        assertEquals(0.728, StableSplit.bucket("abc"), 0.001);
    }

    @Test
    void aRecordAlwaysLandsOnTheSameSideWhateverElseIsInTheData() {
        StableSplit split = new StableSplit(0.2);
        List<LabeledText> small = new ArrayList<>();
        List<LabeledText> large = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            LabeledText t = new LabeledText("id-" + i, "t" + i, i % 2);
            large.add(t);
            if (i % 7 == 0) {
                small.add(t);
            }
        }
        LabelSet labels = LabelSet.of(List.of("0", "1"));
        StableSplit.Split a = split.apply(new LabeledTextSet(large, labels));
        StableSplit.Split b = split.apply(new LabeledTextSet(small, labels));
        for (LabeledText t : b.eval().examples()) {
            assertTrue(a.eval().examples().contains(t));
        }
        for (LabeledText t : b.train().examples()) {
            assertTrue(a.train().examples().contains(t));
        }
        double fraction = a.eval().size() / 5000.0;
        assertTrue(fraction > 0.18 && fraction < 0.22, "eval fraction " + fraction);
        assertEquals(5000, a.eval().size() + a.train().size());
    }
}
