package dev.sentiflow.text.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void plainModePrintsPeriodicLinesAndTheLastOne() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar("epoch 1/3", 100, new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 10_000, now::get);
        for (int done = 10; done <= 100; done += 10) {
            now.addAndGet(2_000_000_000L); // 2 s per 10 samples = 5 samples/s
            bar.update(done, "loss 0.5");
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        // first update, then every 10 s (at 12, 22 s... → done 60), and the final one
        assertEquals(3, lines.length, String.join("|", lines));
        assertTrue(lines[2].startsWith("epoch 1/3 [########################] 100/100 5.0 samples/s loss 0.5"), lines[2]);
        assertTrue(!lines[0].contains("\r"));
    }

    @Test
    void ttyModeRedrawsOneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar("eval", 4, new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 10_000, now::get);
        for (int done = 1; done <= 4; done++) {
            now.addAndGet(1_000_000_000L);
            bar.update(done, "");
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(4, text.chars().filter(c -> c == '\r').count());
        assertEquals(1, text.chars().filter(c -> c == '\n').count());
        assertTrue(text.contains("eval [############............] 2/4 1.0 samples/s eta 0m02s"), text);
    }
}
