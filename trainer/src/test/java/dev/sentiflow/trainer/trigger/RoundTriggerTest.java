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

    /** The margin alone (no noise allowance): the rules below read as literal thresholds. */
    private static final TriggerPolicy LITERAL = new TriggerPolicy(1000, 200, Duration.ofMinutes(10), 0.05, 200, 0);

    private final RoundTrigger trigger = new RoundTrigger(LITERAL, START);

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
        trigger.published(3, 0.90, 0);
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
        trigger.published(3, 0.90, 0);
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

    /**
     * Both accuracies are samples: a version published at 0.96 on 51 evaluation examples and seen at 0.85
     * on 200 live records, or at 0.87 on 5,000, has not drifted (the difference is within 1.645 standard
     * errors beyond the margin), while 0.96 on 2,000 against 0.87 on 5,000 has.
     */
    @Test
    void driftAccountsForTheSampleSizesOfBothAccuracies() {
        RoundTrigger noisy = new RoundTrigger(TriggerPolicy.DEFAULTS, START);
        noisy.published(1, 0.96, 51);
        noisy.liveObserved(new LiveObservation(1, 200, 0.85));
        assertEquals(Optional.empty(), noisy.check(START), "0.11 below, but 51 and 200 examples cannot tell");
        noisy.liveObserved(new LiveObservation(1, 5000, 0.87));
        assertEquals(Optional.empty(), noisy.check(START), "0.09 below: the published side is still 51 examples");

        RoundTrigger measured = new RoundTrigger(TriggerPolicy.DEFAULTS, START);
        measured.published(1, 0.96, 2000);
        measured.liveObserved(new LiveObservation(1, 5000, 0.87));
        Trigger fired = measured.check(START).orElseThrow();
        assertEquals(TriggerReason.DRIFT, fired.reason());
        assertTrue(fired.detail().contains("published 0.9600 over 2000 examples"), fired.detail());
        // The literal rule (noise z 0) would have fired on the first, noisy pair.
        RoundTrigger literal = new RoundTrigger(LITERAL, START);
        literal.published(1, 0.96, 51);
        literal.liveObserved(new LiveObservation(1, 200, 0.85));
        assertEquals(TriggerReason.DRIFT, literal.check(START).orElseThrow().reason());
    }

    /** A window of a version inference no longer serves (v1's, closing a second after v2 was published) is no drift. */
    @Test
    void onlyTheServedVersionsWindowsCount() {
        trigger.published(1, 0.95, 0);
        trigger.published(2, 0.95, 0);
        trigger.serving(2);
        trigger.liveObserved(new LiveObservation(1, 500, 0.60));
        assertEquals(Optional.empty(), trigger.check(START), "v1 was replaced");
        trigger.liveObserved(new LiveObservation(2, 500, 0.60));
        assertEquals(TriggerReason.DRIFT, trigger.check(START).orElseThrow().reason());
        // A rejected challenger: inference went back to v1, so v1's windows count again.
        trigger.serving(1);
        trigger.liveObserved(new LiveObservation(2, 500, 0.60));
        assertEquals(Optional.empty(), trigger.check(START), "v2 is not served");
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
