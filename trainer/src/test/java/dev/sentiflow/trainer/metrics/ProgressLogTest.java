package dev.sentiflow.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLogTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void logsAtTheStartThenAtMostOncePerIntervalAndAtTheLastStep() {
        AtomicLong clock = new AtomicLong();
        List<RoundProgress> lines = new ArrayList<>();
        ProgressLog log = new ProgressLog("default", 3, 10 * SECOND, clock::get, lines::add);
        log.onStart(90, 3, 480);
        for (int step = 1; step <= 90; step++) {
            clock.addAndGet(SECOND);
            log.onStep((step - 1) / 30 + 1, step, 1.0 / step, 1e-4, 1);
        }
        // start, every 10 s of 90 steps at 1 s each (steps 10..90), and step 90 itself
        assertEquals(List.of(0, 10, 20, 30, 40, 50, 60, 70, 80, 90), lines.stream().map(RoundProgress::step).toList());
        RoundProgress at30 = lines.get(3);
        assertEquals(1, at30.epoch());
        assertEquals(60, at30.etaSeconds()); // 30 s for 30 steps, 60 to go
        assertEquals(1.0, lines.get(lines.size() - 1).fraction());
    }

    @Test
    void theLineReadsBackFromALoggerLine() {
        RoundProgress p = new RoundProgress("per-domain-yelp", 12, 2, 3, 40, 96, 0.41234, 31);
        String logged = "10:42:07 [trainer] INFO dev.sentiflow.trainer.TrainerService - " + p.line();
        assertEquals("progress model per-domain-yelp v12: epoch 2/3, step 40/96 (42%), loss 0.4123, eta 31 s", p.line());
        RoundProgress back = RoundProgress.find(logged).orElseThrow();
        assertEquals(new RoundProgress("per-domain-yelp", 12, 2, 3, 40, 96, 0.4123, 31), back);
        assertTrue(RoundProgress.find("model default v3 PUBLISHED in 12.0 s").isEmpty());
        assertEquals(Optional.empty(), RoundProgress.find("progress model x v1: epoch 1/3, step 99999999999/2 (0%), "
                + "loss 1, eta 0 s"));
    }

    @Test
    void theFirstLineHasNoLossYet() {
        List<RoundProgress> lines = new ArrayList<>();
        new ProgressLog("m", 1, SECOND, () -> 0, lines::add).onStart(10, 1, 100);
        assertTrue(lines.get(0).line().contains("loss NaN"), lines.get(0).line());
        assertTrue(RoundProgress.find(lines.get(0).line()).isPresent());
    }
}
