package dev.sentiflow.trainer.loop;

import dev.sentiflow.trainer.intake.ExampleIntake;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The trainer's offset book-keeping per input partition: where re-read history ends (the group's
 * committed offset when the partition was assigned), the committed offset as this member last set
 * or read it, and the last data record taken. From these it computes what a round commits and
 * when an idle member may step over commit markers. Pure: positions are passed in.
 */
public final class OffsetBook {

    private final Map<TopicPartition, Long> historyUntil = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final Map<TopicPartition, Long> lastRecord = new HashMap<>();
    /** Partitions read ahead past a full window, and the offset each is read again from after the round. */
    private final Map<TopicPartition, Long> readAheadFrom = new HashMap<>();

    /** A partition (re)starts from the beginning: records below {@code committedOffset} are history. */
    public void assigned(TopicPartition tp, OptionalLong committedOffset) {
        historyUntil.put(tp, committedOffset.orElse(0));
        committedOffset.ifPresentOrElse(o -> committed.put(tp, o), () -> committed.remove(tp));
        readAheadFrom.remove(tp);
    }

    public void revoked(TopicPartition tp) {
        historyUntil.remove(tp);
        committed.remove(tp);
        readAheadFrom.remove(tp);
    }

    /**
     * {@code tp} reads on past {@code offset}, the first record a full window could not take, for
     * held-out examples only: no round may commit past {@code offset}, and after the next round the
     * partition is read again from there ({@link #endReadAhead}).
     */
    public void readAhead(TopicPartition tp, long offset) {
        readAheadFrom.putIfAbsent(tp, offset);
    }

    public boolean isReadingAhead(TopicPartition tp) {
        return readAheadFrom.containsKey(tp);
    }

    /** Ends every read-ahead: the offsets to read each partition again from. */
    public Map<TopicPartition, Long> endReadAhead() {
        Map<TopicPartition, Long> out = Map.copyOf(readAheadFrom);
        readAheadFrom.clear();
        return out;
    }

    /** Whether the record at {@code offset} lies before the last committed round (re-read history). */
    public boolean isHistory(TopicPartition tp, long offset) {
        return offset < historyUntil.getOrDefault(tp, 0L);
    }

    /** A data record was taken from {@code tp} (commit markers are not records). */
    public void taken(TopicPartition tp, long offset) {
        lastRecord.merge(tp, offset, Math::max);
    }

    /** Offsets that are now the group's committed offsets. */
    public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
    }

    public OptionalLong committed(TopicPartition tp) {
        Long c = committed.get(tp);
        return c == null ? OptionalLong.empty() : OptionalLong.of(c);
    }

    /** Where history ends on each partition, for the operator's log line. */
    public Map<TopicPartition, Long> historyEnds() {
        return Map.copyOf(historyUntil);
    }

    /**
     * The offsets a round of {@code model} commits: per partition the consumer's position (which also
     * steps over a transactional producer's commit markers), never below the end of re-read history,
     * never past the first window example of another model (those wait for their own round;
     * this model may then see a few of its examples again, which only retrains them), and never past
     * where a read-ahead began.
     */
    public Map<TopicPartition, OffsetAndMetadata> roundOffsets(Set<TopicPartition> assignment,
            ToLongFunction<TopicPartition> position, String model, Collection<ExampleIntake> intakes) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : assignment) {
            long commit = Math.max(position.applyAsLong(tp), historyUntil.getOrDefault(tp, 0L));
            for (ExampleIntake other : intakes) {
                if (!other.model().equals(model)) {
                    OptionalLong first = other.firstWindowOffset(tp.topic(), tp.partition());
                    if (first.isPresent()) {
                        commit = Math.min(commit, first.getAsLong());
                    }
                }
            }
            Long ahead = readAheadFrom.get(tp);
            if (ahead != null) {
                commit = Math.min(commit, ahead);
            }
            out.put(tp, new OffsetAndMetadata(commit));
        }
        return out;
    }

    /**
     * When idle: partitions whose committed offset may move to the position because all that lies
     * between is commit markers of a transactional producer (no record was taken there since), so the
     * group's lag reaches zero.
     */
    public Map<TopicPartition, OffsetAndMetadata> markersOnly(Set<TopicPartition> assignment,
            ToLongFunction<TopicPartition> position) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : assignment) {
            Long c = committed.get(tp);
            long at = position.applyAsLong(tp);
            if (c != null && at > c && lastRecord.getOrDefault(tp, -1L) < c && !readAheadFrom.containsKey(tp)) {
                out.put(tp, new OffsetAndMetadata(at));
            }
        }
        return out;
    }
}
