package dev.sentiflow.trainer.metrics;

import dev.sentiflow.schemas.ops.Probe;
import java.time.Clock;
import java.time.Duration;

/**
 * The trainer's probes. Live: the polling loop turned within {@link #STALLED} (it polls every
 * 200-500 ms, also while a round trains; a loop that stopped polling is wedged) or has not started
 * yet. Ready: the models catalog is read and the group gave this member partitions.
 */
public final class TrainerHealth {

    /** Longer than any poll timeout and commit back-off, far shorter than a wedged loop. */
    public static final Duration STALLED = Duration.ofSeconds(120);

    private final Clock clock;
    private volatile boolean catalogRead;
    private volatile int partitions = -1;
    private volatile long lastPollMillis = -1;
    private volatile String ended;

    public TrainerHealth(Clock clock) {
        this.clock = clock;
    }

    public void catalogRead() {
        catalogRead = true;
    }

    public void assigned(int count) {
        partitions = count;
    }

    public void polled() {
        lastPollMillis = clock.millis();
    }

    /** The loop returned (stopped, or failed with {@code why}). */
    public void ended(String why) {
        ended = why;
    }

    public Probe live() {
        return () -> {
            if (ended != null) {
                return Probe.Result.down("the trainer loop ended: " + ended);
            }
            if (lastPollMillis < 0) {
                return Probe.Result.up("starting: reading the models and live-metrics topics");
            }
            long age = clock.millis() - lastPollMillis;
            return age > STALLED.toMillis()
                    ? Probe.Result.down("the trainer loop has not polled Kafka for " + age / 1000 + " s")
                    : Probe.Result.up("the trainer loop polled " + age + " ms ago");
        };
    }

    public Probe ready() {
        return () -> {
            if (!catalogRead) {
                return Probe.Result.down("reading the models catalog");
            }
            if (partitions < 0) {
                return Probe.Result.down("waiting for the group to assign partitions");
            }
            if (partitions == 0) {
                return Probe.Result.down("the group assigned no partition to this member (a standby)");
            }
            return Probe.Result.up("catalog read; " + partitions + " partition(s) assigned");
        };
    }
}
