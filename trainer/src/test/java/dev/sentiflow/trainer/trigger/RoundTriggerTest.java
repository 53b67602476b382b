package dev.sentiflow.trainer.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RoundTriggerTest {

    private static final long START = 1_000_000;
    private static final long TEN_MINUTES = Duration.ofMinutes(10).toMillis();

    private final RoundTrigger trigger = new RoundTrigger(TriggerPolicy.DEFAULTS, START);

    @Test
    void volumeStartsARoundAtTheRoundSize() {
        assertEquals(Optional.empty(), trigger.check(START));
        trigger.examplesArrived(999);
        assertEquals(Optional.empty(), trigger.check(START + 1));
        trigger.examplesArrived(1);
        Trigger fired = trigger.check(START + 2).orElseThrow();
        assertEquals(TriggerReason.VOLUME, fired.reason());
        assertTrue(fired.detail().contains("1000 new labeled examples"), fired.detail());
    }

    @Test
    void maxWaitNeedsTheMinimumAndTheWholeWait() {
        trigger.examplesArrived(199);
        assertEquals(Optional.empty(), trigger.check(START + 10 * TEN_MINUTES));
        trigger.examplesArrived(1);
        assertEquals(Optional.empty(), trigger.check(START + TEN_MINUTES - 1));
        assertEquals(TriggerReason.MAX_WAIT, trigger.check(START + TEN_MINUTES).orElseThrow().reason());
    }

    @Test
    void nothingIsProposedDuringARoundAndTheWaitRestartsWhenItEnds() {
        trigger.examplesArrived(1000);
        trigger.roundStarted(trigger.check(START).orElseThrow());
        trigger.examplesArrived(1500); // arrive while the round trains
        assertEquals(Optional.empty(), trigger.check(START + 1));
        assertTrue(trigger.roundRunning());
        assertThrows(IllegalStateException.class, () -> trigger.roundStarted(new Trigger(TriggerReason.VOLUME, "",
                OptionalLong.empty())));

        long end = START + 5 * TEN_MINUTES;
        trigger.roundCompleted(end);
        assertEquals(1500, trigger.pendingExamples());
        assertEquals(TriggerReason.VOLUME, trigger.check(end).orElseThrow().reason());

        RoundTrigger waiting = new RoundTrigger(TriggerPolicy.DEFAULTS, START);
        waiting.examplesArrived(300);
        waiting.roundStarted(waiting.check(START + TEN_MINUTES).orElseThrow());
        waiting.roundCompleted(START + 2 * TEN_MINUTES);
        waiting.examplesArrived(300);
        assertEquals(Optional.empty(), waiting.check(START + 3 * TEN_MINUTES - 1)); // counted from the round's end
        assertEquals(TriggerReason.MAX_WAIT, waiting.check(START + 3 * TEN_MINUTES).orElseThrow().reason());
    }

    @Test
    void driftNeedsEnoughLabeledRecordsAndMoreThanTheMargin() {
        trigger.published(3, 0.90);
        trigger.liveObserved(new LiveObservation(3, 199, 0.50));
        assertEquals(Optional.empty(), trigger.check(START), "too few labeled records to trust");
        trigger.liveObserved(new LiveObservation(3, 200, 0.85));
        assertEquals(Optional.empty(), trigger.check(START), "exactly the margin is not a drop beyond it");
        trigger.liveObserved(new LiveObservation(4, 5000, 0.10));
        assertEquals(Optional.empty(), trigger.check(START), "a version not known as published");

        trigger.liveObserved(new LiveObservation(3, 250, 0.84));
        trigger.examplesArrived(1000);
        Trigger fired = trigger.check(START).orElseThrow();
        assertEquals(TriggerReason.DRIFT, fired.reason(), "drift wins over volume");
        assertEquals(OptionalLong.of(3), fired.driftedVersion());
        assertTrue(fired.detail().contains("v3 live accuracy 0.8400 over 250"), fired.detail());
    }

    @Test
    void driftFiresOncePerDropUntilARoundHasCompleted() {
        trigger.published(3, 0.90);
        trigger.liveObserved(new LiveObservation(3, 400, 0.70));
        Trigger fired = trigger.check(START).orElseThrow();
        trigger.roundStarted(fired);
        trigger.liveObserved(new LiveObservation(3, 500, 0.69));
        assertEquals(Optional.empty(), trigger.check(START + 1));

        trigger.roundCompleted(START + 2);
        assertEquals(Optional.empty(), trigger.check(START + 3), "the observation before the round is not reused");
        trigger.liveObserved(new LiveObservation(3, 300, 0.70));
        assertEquals(TriggerReason.DRIFT, trigger.check(START + 4).orElseThrow().reason(), "still drifting after the round");
    }

    @Test
    void thePolicyIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TriggerPolicy(0, 1, Duration.ofMinutes(1), 0.05, 1));
        assertTrue(e.getMessage().contains("roundSize"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TriggerPolicy(1, 1, Duration.ZERO, 0.05, 1));
        assertThrows(IllegalArgumentException.class, () -> trigger.examplesArrived(-1));
    }
}
