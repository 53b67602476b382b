package dev.sentiflow.trainer.loop;

import dev.sentiflow.trainer.intake.ExampleIntake;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The trainer's offset book-keeping per input partition: where re-read history ends (the group's
 * committed offset when the partition was assigned, and past it, per model, where that model had
 * trained up to: {@link TrainedOffsets}, in the offset's metadata), the committed offset as this
 * member last set or read it, and the last data record taken. From these it computes what a round
 * commits and when an idle member may step over commit markers. Pure: positions are passed in.
 */
public final class OffsetBook {

    private final Map<TopicPartition, Long> historyUntil = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    /** Per partition, models trained past the committed offset, and up to where. */
    private final Map<TopicPartition, Map<String, Long>> trainedUntil = new HashMap<>();
    private final Map<TopicPartition, Long> lastRecord = new HashMap<>();
    /** Partitions read ahead past a full window, and the offset each is read again from after the round. */
    private final Map<TopicPartition, Long> readAheadFrom = new HashMap<>();

    /**
     * A partition (re)starts from the beginning: records below the group's committed offset are
     * history, and so is each model's past where its metadata says the model had trained up to.
     */
    public void assigned(TopicPartition tp, Optional<OffsetAndMetadata> groupCommitted) {
        historyUntil.put(tp, groupCommitted.map(OffsetAndMetadata::offset).orElse(0L));
        groupCommitted.ifPresentOrElse(o -> committed.put(tp, o.offset()), () -> committed.remove(tp));
        trainedUntil.put(tp, groupCommitted.map(o -> TrainedOffsets.decode(o.metadata())).orElseGet(Map::of));
        readAheadFrom.remove(tp);
    }

    public void revoked(TopicPartition tp) {
        historyUntil.remove(tp);
        committed.remove(tp);
        trainedUntil.remove(tp);
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

    /** Whether {@code model}'s record at {@code offset} was trained by a committed round (re-read history). */
    public boolean isHistory(TopicPartition tp, String model, long offset) {
        return offset < Math.max(historyUntil.getOrDefault(tp, 0L),
                trainedUntil.getOrDefault(tp, Map.of()).getOrDefault(model, 0L));
    }

    /** A data record was taken from {@code tp} (commit markers are not records). */
    public void taken(TopicPartition tp, long offset) {
        lastRecord.merge(tp, offset, Math::max);
    }

    /** Offsets that are now the group's committed offsets. */
    public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> {
            committed.put(tp, o.offset());
            trainedUntil.put(tp, TrainedOffsets.decode(o.metadata()));
        });
    }

    public OptionalLong committed(TopicPartition tp) {
        Long c = committed.get(tp);
        return c == null ? OptionalLong.empty() : OptionalLong.of(c);
    }

    /**
     * Assigned partitions whose re-read history is not behind the consumer yet. A round waits for
     * them: started earlier it would train without that replay and be judged on part of the
     * evaluation set, which a restart or rebalance rebuilds from the history.
     */
    public Set<TopicPartition> historyUnread(Set<TopicPartition> assignment, ToLongFunction<TopicPartition> position,
            java.util.function.Predicate<TopicPartition> atEnd) {
        Set<TopicPartition> unread = new java.util.TreeSet<>(java.util.Comparator.comparing(TopicPartition::toString));
        for (TopicPartition tp : assignment) {
            // At the log's end there is no more to read, even below a committed offset past it (a topic
            // recreated under the same group): waiting on would stop every round for good.
            if (position.applyAsLong(tp) < historyUntil.getOrDefault(tp, 0L) && !atEnd.test(tp)) {
                unread.add(tp);
            }
        }
        return unread;
    }

    /** Where history ends on each partition, for the operator's log line. */
    public Map<TopicPartition, Long> historyEnds() {
        return Map.copyOf(historyUntil);
    }

    /**
     * The offsets a round of {@code model} commits: per partition the consumer's position (which also
     * steps over a transactional producer's commit markers), never below the end of re-read history,
     * never past the first window example of another model (those wait for their own round), and
     * never past where a read-ahead began. The metadata says where each model is trained up to past
     * that offset (this one: its position), so a restart re-reads those examples as history.
     */
    public Map<TopicPartition, OffsetAndMetadata> roundOffsets(Set<TopicPartition> assignment,
            ToLongFunction<TopicPartition> position, String model, Collection<ExampleIntake> intakes) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : assignment) {
            long at = position.applyAsLong(tp);
            long commit = Math.max(at, historyUntil.getOrDefault(tp, 0L));
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
            // This model took every record of its own before its position (or before a read-ahead began).
            Map<String, Long> trained = new HashMap<>(trainedUntil.getOrDefault(tp, Map.of()));
            trained.merge(model, ahead == null ? at : Math.min(at, ahead), Math::max);
            out.put(tp, withTrained(commit, trained));
        }
        return out;
    }

    /** {@code commit}, with the models trained past it in its metadata. */
    private static OffsetAndMetadata withTrained(long commit, Map<String, Long> trained) {
        Map<String, Long> past = new HashMap<>(trained);
        past.values().removeIf(offset -> offset <= commit);
        return new OffsetAndMetadata(commit, TrainedOffsets.encode(past));
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
                out.put(tp, withTrained(at, trainedUntil.getOrDefault(tp, Map.of())));
            }
        }
        return out;
    }
}
