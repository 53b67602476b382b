package dev.sentiflow.schemas.live;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.LiveRole;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One model version's live accuracy across all inference tasks. Inference publishes one window per
 * task (per input partition), each over different records; reading only the newest record shows one
 * partition's view at a time, and flips between them. This keeps each task's newest champion window
 * of every version and adds up those of the asked-for version, weighting each by its labeled count:
 * a version inference no longer serves keeps the accuracy of its last windows. Decisions and
 * challenger windows are not serving windows and are ignored. Not thread-safe.
 */
public final class LiveView {

    /** A version's accuracy over {@code labeledCount} labeled records, from {@code tasks} windows. */
    public record Combined(long version, long labeledCount, double accuracy, int tasks) {}

    private record TaskKey(String model, String task, long version) {}

    private final Map<TaskKey, LiveMetrics> newest = new HashMap<>();

    /** Takes one record of the live-metrics topic; returns whether it was a serving window. */
    public boolean add(LiveMetrics m) {
        if (m.getRole() != LiveRole.CHAMPION || m.getDecision() != null || m.getAction() != null) {
            return false;
        }
        // Before v3 records named no task: they all count as one, the newest replacing the last.
        TaskKey key = new TaskKey(m.getModelName(), m.getTask() == null ? "" : m.getTask(), m.getModelVersion());
        newest.merge(key, m, (old, fresh) -> fresh.getWindowEnd().isBefore(old.getWindowEnd()) ? old : fresh);
        return true;
    }

    /** The version's accuracy over the newest window of it of every task that scored it; empty when none did. */
    public Optional<Combined> of(String model, long version) {
        long count = 0;
        double correct = 0;
        int tasks = 0;
        for (var e : newest.entrySet()) {
            LiveMetrics m = e.getValue();
            if (e.getKey().model().equals(model) && m.getModelVersion() == version && m.getLabeledCount() > 0) {
                count += m.getLabeledCount();
                correct += m.getAccuracy() * m.getLabeledCount();
                tasks++;
            }
        }
        return count == 0 ? Optional.empty() : Optional.of(new Combined(version, count, correct / count, tasks));
    }

    /** The versions of the model any task's window scored labeled records of, oldest first. */
    public List<Combined> versions(String model) {
        return newest.keySet().stream().filter(k -> k.model().equals(model)).map(TaskKey::version).distinct().sorted()
                .flatMap(v -> of(model, v).stream()).toList();
    }

    /** Whether any task's window scored labeled records of this version, or a later one, of any model. */
    public boolean scoredAny(long atLeastVersion) {
        return newest.values().stream().anyMatch(m -> m.getModelVersion() >= atLeastVersion && m.getLabeledCount() > 0);
    }

    /** The newest version any task's window scored for the model, if any. */
    public Optional<Long> newestVersion(String model) {
        return newest.entrySet().stream().filter(e -> e.getKey().model().equals(model))
                .map(e -> e.getValue().getModelVersion()).max(Long::compare);
    }
}
