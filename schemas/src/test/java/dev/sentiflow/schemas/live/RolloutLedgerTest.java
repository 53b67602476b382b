package dev.sentiflow.schemas.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.LiveRole;
import dev.sentiflow.avro.RolloutAction;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RolloutLedgerTest {

    private static LiveMetrics decision(long version, RolloutAction action) {
        Instant t = Instant.parse("2026-12-06T12:00:00Z");
        return LiveMetrics.newBuilder().setModelName("default").setModelVersion(version).setRole(LiveRole.CHALLENGER)
                .setWindowStart(t).setWindowEnd(t).setLabeledCount(200).setAccuracy(0.9).setMacroF1(0.9)
                .setPerDomain(Map.of()).setDecision(action + " default v" + version).setAction(action)
                .setComparedVersion(version - 1).setComparedAccuracy(0.8).setCreatedAt(t).build();
    }

    @Test
    void theFirstCommittedDecisionOfEachKindCountsAndLaterOnesAreDuplicates() {
        RolloutLedger ledger = new RolloutLedger();
        assertEquals(Optional.of(RolloutAction.PROMOTED), ledger.take(decision(3, RolloutAction.PROMOTED)));
        // Another instance, on its own rows, thought otherwise; and a repeat of the same proposal.
        assertEquals(Optional.empty(), ledger.take(decision(3, RolloutAction.REJECTED)));
        assertEquals(Optional.empty(), ledger.take(decision(3, RolloutAction.PROMOTED)));
        assertEquals(Optional.of(RolloutAction.PROMOTED), ledger.decided("default", 3));
        // Once promoted, whether it stays is the second decision on it.
        assertEquals(Optional.of(RolloutAction.ROLLED_BACK), ledger.take(decision(3, RolloutAction.ROLLED_BACK)));
        assertEquals(Optional.empty(), ledger.take(decision(3, RolloutAction.CONFIRMED)));
        assertEquals(Optional.of(RolloutAction.ROLLED_BACK), ledger.decided("default", 3));
        assertEquals(2, ledger.size());
        assertEquals(Optional.empty(), ledger.decided("default", 4));
        assertEquals(Optional.empty(), ledger.decided("other", 3));
    }

    /**
     * With the signing key, only decisions signed with it count: anyone who may write the live-metrics
     * topic could otherwise reject or roll back the versions every instance serves.
     */
    @Test
    void withAKeyOnlyDecisionsSignedWithItCount() {
        var key = dev.sentiflow.schemas.checkpoint.CheckpointSigner.fromSecret("ours").orElseThrow();
        var other = dev.sentiflow.schemas.checkpoint.CheckpointSigner.fromSecret("theirs").orElseThrow();
        RolloutLedger ledger = new RolloutLedger(Optional.of(key));
        LiveMetrics signed = key.signDecision(decision(3, RolloutAction.PROMOTED));
        LiveMetrics altered = LiveMetrics.newBuilder(signed).setModelVersion(4).build();
        assertEquals(Optional.of("it is not signed"), ledger.refusal(decision(3, RolloutAction.REJECTED)));
        assertEquals(Optional.of("its signature does not match it (forged or altered)"), ledger.refusal(altered));
        assertEquals(Optional.of("it is signed with another key"),
                ledger.refusal(other.signDecision(decision(3, RolloutAction.REJECTED))));
        assertEquals(Optional.empty(), ledger.take(decision(3, RolloutAction.REJECTED)), "unsigned: refused");
        assertEquals(Optional.empty(), ledger.take(altered), "forged: refused");
        assertEquals(Optional.of(RolloutAction.PROMOTED), ledger.take(signed), "the first signed decision counts");
        assertEquals(2, ledger.refused());
        assertEquals(Optional.of(RolloutAction.PROMOTED), new RolloutLedger().take(decision(3, RolloutAction.PROMOTED)),
                "without a key every decision counts, as before");
    }

    @Test
    void servingWindowsAreNotDecisions() {
        RolloutLedger ledger = new RolloutLedger();
        LiveMetrics window = decision(1, RolloutAction.PROMOTED);
        window.setAction(null);
        window.setDecision(null);
        assertEquals(Optional.empty(), ledger.take(window));
        assertEquals(0, ledger.size());
    }

    @Test
    void aVersionServesWhenPublishedAsChampionOrPromotedAndNotRolledBack() {
        RolloutLedger ledger = new RolloutLedger();
        assertTrue(ledger.serves("default", 1, true));
        assertFalse(ledger.serves("default", 2, false), "a challenger waiting for its decision");
        ledger.take(decision(2, RolloutAction.REJECTED));
        assertFalse(ledger.serves("default", 2, false));
        ledger.take(decision(3, RolloutAction.PROMOTED));
        assertTrue(ledger.serves("default", 3, false));
        ledger.take(decision(3, RolloutAction.CONFIRMED));
        assertTrue(ledger.serves("default", 3, false));
        ledger.take(decision(4, RolloutAction.PROMOTED));
        ledger.take(decision(4, RolloutAction.ROLLED_BACK));
        assertFalse(ledger.serves("default", 4, false));
    }
}
