package dev.sentiflow.inference.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.inference.models.ModelRegistry.ShadowRole;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RolloutPolicyTest {

    private final RolloutPolicy policy = new RolloutPolicy(100, 0.01, 50, 0.05);

    @Test
    void aChallengerIsDecidedOnlyOnEnoughRecordsAndMayBeWorseByTheToleranceAtMost() {
        assertEquals(Optional.empty(), policy.decide(ShadowRole.CHALLENGER, 99, 10, 99));
        assertEquals(Optional.of(RolloutAction.PROMOTED), policy.decide(ShadowRole.CHALLENGER, 100, 90, 90));
        assertEquals(Optional.of(RolloutAction.PROMOTED), policy.decide(ShadowRole.CHALLENGER, 100, 90, 89));
        assertEquals(Optional.of(RolloutAction.REJECTED), policy.decide(ShadowRole.CHALLENGER, 100, 90, 88));
    }

    @Test
    void aPromotedVersionIsRolledBackOnlyWhenItFallsMoreThanTheMarginBelowItsPredecessor() {
        assertEquals(Optional.empty(), policy.decide(ShadowRole.PREDECESSOR, 49, 0, 49));
        // decide(role, labeled, championCorrect = the promoted version, shadowCorrect = its predecessor)
        assertEquals(Optional.of(RolloutAction.CONFIRMED), policy.decide(ShadowRole.PREDECESSOR, 100, 85, 90));
        assertEquals(Optional.of(RolloutAction.ROLLED_BACK), policy.decide(ShadowRole.PREDECESSOR, 100, 84, 90));
        assertEquals(Optional.of(RolloutAction.CONFIRMED), policy.decide(ShadowRole.PREDECESSOR, 100, 95, 90));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RolloutPolicy(0, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RolloutPolicy(1, -0.1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RolloutPolicy(1, 0, 1, 1.5));
    }
}
