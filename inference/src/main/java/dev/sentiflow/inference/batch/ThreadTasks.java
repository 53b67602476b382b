package dev.sentiflow.inference.batch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The batching processors of each stream thread: one per task, that is per input partition the thread
 * owns. A thread runs its tasks one after the other, so batching each alone would, with more
 * partitions than threads, score several small batches in turn where one would do; a batch that takes
 * every task's pending records instead is as large as the thread's traffic. Every call comes from the
 * stream thread itself (a task is initialised, processed, punctuated and closed on its thread), so the
 * list is per thread and needs no locking; all tasks of a thread commit in one transaction under
 * exactly-once, which is what lets one task forward another's predictions and delete them from the
 * other's pending store. One instance per topology, given to each of its batching processors.
 */
public final class ThreadTasks {

    private final ThreadLocal<List<BatchingProcessor>> ofThread = ThreadLocal.withInitial(ArrayList::new);

    void join(BatchingProcessor task) {
        List<BatchingProcessor> tasks = ofThread.get();
        if (!tasks.contains(task)) { // a task revived after corruption is initialised again
            tasks.add(task);
        }
    }

    void leave(BatchingProcessor task) {
        ofThread.get().remove(task);
    }

    /** Records pending in the tasks of this thread whose records {@code scoring}'s batch may take. */
    long pending(BatchingProcessor scoring) {
        long n = 0;
        for (BatchingProcessor task : ofThread.get()) {
            if (task == scoring || task.ran()) {
                n += task.pendingCount();
            }
        }
        return n;
    }

    /**
     * The tasks of this thread whose records {@code scoring}'s batch may take (pending, and run by Streams
     * since their start, see {@link BatchingProcessor#ran}), the one whose oldest record has waited
     * longest first.
     */
    List<BatchingProcessor> waitingLongestFirst(BatchingProcessor scoring) {
        List<BatchingProcessor> waiting = new ArrayList<>();
        for (BatchingProcessor task : ofThread.get()) {
            if (task.pendingCount() > 0 && (task == scoring || task.ran())) {
                waiting.add(task);
            }
        }
        waiting.sort(Comparator.comparingLong(BatchingProcessor::waitingSinceMs));
        return waiting;
    }
}
