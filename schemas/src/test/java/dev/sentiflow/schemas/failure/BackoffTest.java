package dev.sentiflow.schemas.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void theBackoffGrowsToThirtySecondsAndStartsOverAfterAQuietRun() {
        Backoff backoff = new Backoff();
        long now = 0;
        long[] expected = {1, 2, 4, 8, 16, 30, 30};
        for (long seconds : expected) {
            Duration wait = backoff.onFailure(now);
            assertEquals(Duration.ofSeconds(seconds), wait);
            now += wait.toNanos() + Duration.ofSeconds(1).toNanos(); // the new thread fails a second later
        }
        // The last replacement ran for two minutes without failing: that was a success.
        now += Duration.ofMinutes(2).toNanos();
        assertEquals(Duration.ofSeconds(1), backoff.onFailure(now));
        assertEquals(Duration.ofSeconds(2), backoff.onFailure(now + Duration.ofSeconds(2).toNanos()));
    }
}
