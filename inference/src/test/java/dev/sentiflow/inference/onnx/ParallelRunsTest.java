package dev.sentiflow.inference.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelRunsTest {

    @Test
    void everyRunRunsOnceWithTheCallerAndUpToWidthThreadsAtOnce() throws Exception {
        try (ParallelRuns runs = new ParallelRuns(3)) {
            AtomicIntegerArray ran = new AtomicIntegerArray(10);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            // The first three meet before any ends: they can only do so on three threads at once.
            CountDownLatch met = new CountDownLatch(3);
            List<Runnable> tasks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                tasks.add(() -> {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    threads.add(Thread.currentThread().getName());
                    met.countDown();
                    try {
                        assertTrue(met.await(10, TimeUnit.SECONDS), "three runs at once");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    ran.incrementAndGet(n);
                    inside.decrementAndGet();
                });
            }
            runs.runAll(tasks);
            for (int i = 0; i < 10; i++) {
                assertEquals(1, ran.get(i), "run " + i);
            }
            assertEquals(3, most.get(), "at most the width at once");
            assertTrue(threads.contains(Thread.currentThread().getName()), "the caller takes runs: " + threads);
        }
    }

    @Test
    void twoCallersAtOnceEachGetTheirWidth() throws Exception {
        try (ParallelRuns runs = new ParallelRuns(2, 2)) {
            // Four runs meet before any ends: two callers, each with one helper of its own.
            CountDownLatch met = new CountDownLatch(4);
            Runnable meet = () -> {
                met.countDown();
                await(met);
            };
            List<Runnable> counted = List.of(meet, meet);
            Thread other = new Thread(() -> runs.runAll(counted));
            other.start();
            runs.runAll(counted);
            other.join(10_000);
            assertEquals(0, met.getCount(), "four runs at once");
        }
    }

    @Test
    void aFailedRunIsThrownOnceTheOthersHaveEnded() {
        try (ParallelRuns runs = new ParallelRuns(2)) {
            AtomicInteger ended = new AtomicInteger();
            CountDownLatch slowStarted = new CountDownLatch(1);
            // The failing run first: the caller usually takes it, and must wait for the helper's slow run.
            List<Runnable> tasks = List.of(() -> {
                await(slowStarted);
                throw new IllegalStateException("run 1 failed");
            }, () -> {
                slowStarted.countDown();
                sleep(300);
                ended.incrementAndGet();
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> runs.runAll(tasks));
            assertEquals("run 1 failed", e.getMessage());
            assertEquals(1, ended.get(), "the slow run had ended before the failure was thrown");
        }
    }

    @Test
    void widthOneRunsOnTheCaller() {
        List<String> threads = new ArrayList<>();
        ParallelRuns.ONE.runAll(List.of(() -> threads.add(Thread.currentThread().getName()),
                () -> threads.add(Thread.currentThread().getName())));
        assertEquals(List.of(Thread.currentThread().getName(), Thread.currentThread().getName()), threads);
        assertThrows(IllegalArgumentException.class, () -> new ParallelRuns(0));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
