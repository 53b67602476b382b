package dev.sentiflow.trainer.loop;

import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A round between its start and its commit: what it was given, the offsets it will commit, its
 * training on the round thread, and, once trained, its commit attempts.
 */
public final class RoundInFlight {

    private final RoundRunner.Job job;
    private final long assignmentEpoch;
    private final Map<TopicPartition, OffsetAndMetadata> offsets;
    private final Future<RoundRunner.Finished> training;
    private RoundRunner.Finished finished;
    private int attempts;
    private long nextAttemptMillis;

    /**
     * @param assignmentEpoch the loop's count of rebalances when the round started: a round begun
     *     before a rebalance is abandoned (its partitions may belong to another member now)
     */
    public RoundInFlight(RoundRunner.Job job, long assignmentEpoch, Map<TopicPartition, OffsetAndMetadata> offsets,
            Future<RoundRunner.Finished> training) {
        this.job = job;
        this.assignmentEpoch = assignmentEpoch;
        this.offsets = Map.copyOf(offsets);
        this.training = training;
    }

    public RoundRunner.Job job() {
        return job;
    }

    public long assignmentEpoch() {
        return assignmentEpoch;
    }

    public Map<TopicPartition, OffsetAndMetadata> offsets() {
        return offsets;
    }

    public Future<RoundRunner.Finished> training() {
        return training;
    }

    /** The trained round, once {@link #trained} was told; null before. */
    public RoundRunner.Finished finished() {
        return finished;
    }

    public void trained(RoundRunner.Finished value) {
        this.finished = value;
    }

    public int attempts() {
        return attempts;
    }

    /** Counts a commit attempt; true when it is a retry. */
    boolean nextAttempt() {
        return attempts++ > 0;
    }

    boolean due(long nowMillis) {
        return nowMillis >= nextAttemptMillis;
    }

    void retryAt(long millis) {
        this.nextAttemptMillis = millis;
    }
}
