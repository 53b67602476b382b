package dev.sentiflow.inference.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.inference.models.ModelRegistry.ShadowRole;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RolloutsTest {

    private static final List<String> LABELS = List.of("negative", "positive");

    /** A clock the test moves. */
    private static final class Hands extends Clock {
        Instant now = Instant.parse("2026-12-06T12:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final Hands clock = new Hands();
    private final Rollouts rollouts = new Rollouts(new RolloutPolicy(4, 0.0, 4, 0.05), clock);

    /** Two rows where the challenger (v2) is right and the champion (v1) wrong. */
    private Optional<RolloutDecision> challengerWins(long champion, long challenger) {
        return rollouts.record("default", champion, challenger, ShadowRole.CHALLENGER, LABELS, new int[] {1, 0},
                new int[] {0, 1}, new int[] {1, 0});
    }

    @Test
    void aDecisionIsProposedOnceThenAgainOnlyWhenItDidNotComeBackCommitted() {
        assertEquals(Optional.empty(), challengerWins(1, 2));
        Optional<RolloutDecision> first = challengerWins(1, 2);
        assertEquals(RolloutAction.PROMOTED, first.orElseThrow().action());
        assertEquals(4, first.get().labeled());
        // The pair is still served (nothing committed yet): rows keep counting, nothing is proposed twice.
        clock.now = clock.now.plus(Rollouts.PROPOSE_AGAIN_AFTER.minusSeconds(1));
        assertEquals(Optional.empty(), challengerWins(1, 2));
        // Its transaction must have aborted: proposed again, on every row counted since.
        clock.now = clock.now.plus(Duration.ofSeconds(2));
        Optional<RolloutDecision> again = challengerWins(1, 2);
        assertEquals(RolloutAction.PROMOTED, again.orElseThrow().action());
        assertEquals(8, again.get().labeled());
        assertEquals(first.get().windowStart(), again.get().windowStart());
    }

    @Test
    void aNewPairStartsFromZero() {
        challengerWins(1, 2);
        assertTrue(challengerWins(1, 2).isPresent());
        // v3 replaced the challenger: its tally starts empty.
        assertEquals(Optional.empty(), challengerWins(1, 3));
        assertEquals(3L, challengerWins(1, 3).orElseThrow().version());
    }
}
