package dev.sentiflow.inference.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs of one batch scored at once, each on a thread of its own. On few cores two one-thread runs of
 * half a batch each beat one run whose every op is split across the cores: the op's threads meet at
 * its end, and threads that do not spin are woken again for each of the graph's hundreds of ops
 * (./bench inference, 2 cores: the bare model at 465-507 records/s as two callers on one-thread
 * sessions against 315-343 as one caller on both cores). The calling thread takes runs too; the
 * others are daemon threads kept for the service's life.
 */
public final class ParallelRuns implements AutoCloseable {

    /** One run at a time, on the calling thread. */
    public static final ParallelRuns ONE = new ParallelRuns(1);

    private final int width;
    private final ExecutorService helpers;

    /** @param width runs at once, at least 1, for one calling thread */
    public ParallelRuns(int width) {
        this(width, 1);
    }

    /**
     * @param width runs at once per calling thread, at least 1
     * @param callers threads that may call {@link #runAll} at the same time (stream threads): each gets its
     *     own helpers, so one caller's batch never waits for another's
     */
    public ParallelRuns(int width, int callers) {
        if (width < 1 || callers < 1) {
            throw new IllegalArgumentException("runs at once and callers must be >= 1, got " + width + " and "
                    + callers);
        }
        this.width = width;
        AtomicInteger n = new AtomicInteger();
        this.helpers = width == 1 ? null : Executors.newFixedThreadPool((width - 1) * callers, r -> {
            Thread t = new Thread(r, "sentiflow-scoring-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** How many runs go at once. */
    public int width() {
        return width;
    }

    /**
     * Runs every task, at most {@link #width} at once, the caller among them; returns when all have
     * ended. The first task's failure is thrown once all have ended (no run is left writing results).
     */
    public void runAll(List<Runnable> runs) {
        if (helpers == null || runs.size() < 2) {
            runs.forEach(Runnable::run);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable taker = () -> {
            try {
                for (int i = next.getAndIncrement(); i < runs.size(); i = next.getAndIncrement()) {
                    runs.get(i).run();
                }
            } catch (RuntimeException | Error e) {
                next.set(runs.size()); // the batch has failed: no one takes more of its runs
                throw e;
            }
        };
        List<Future<?>> helping = new ArrayList<>();
        for (int h = 0; h < Math.min(width, runs.size()) - 1; h++) {
            helping.add(helpers.submit(taker));
        }
        Throwable failed = null;
        try {
            taker.run();
        } catch (RuntimeException | Error e) {
            failed = e;
        }
        for (Future<?> f : helping) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failed = failed == null ? e.getCause() : failed;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while runs of a batch were scored", e);
            }
        }
        if (failed instanceof RuntimeException r) {
            throw r;
        }
        if (failed instanceof Error e) {
            throw e;
        }
        if (failed != null) {
            throw new IllegalStateException(failed.toString(), failed);
        }
    }

    /** Takes no new batches; a batch in flight ends (its queued helpers still start, and find nothing left or finish). */
    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdown();
        }
    }
}
