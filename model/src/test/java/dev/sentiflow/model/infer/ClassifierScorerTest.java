package dev.sentiflow.model.infer;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.head.TinyBatch;
import dev.sentiflow.model.head.TruncatedMiniLm;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.metrics.Scored;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierScorerTest {

    private static TruncatedMiniLm miniLm;

    @BeforeAll
    static void loadBase() {
        miniLm = TruncatedMiniLm.firstLayers(1);
    }

    @AfterAll
    static void close() {
        miniLm.close();
    }

    /** A new thread each time: libtorch starts every thread with gradient recording on. */
    private static <T> T onFreshThread(Callable<T> work) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            return pool.submit(work).get();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void forwardsOnAnyThreadRecordNoAutogradGraph() throws Exception {
        NDManager m = miniLm.manager().newSubManager();
        try (m) {
            SequenceClassifier model = Classifiers.create(m, miniLm.base(), 2, Optional.of(LoraConfig.defaults()), 1);
            ParameterStore ps = new ParameterStore(m, false);
            // The hazard itself: a plain forward on a fresh thread builds a graph for the LoRA/head weights.
            boolean plainRecords = onFreshThread(() -> {
                try (NDManager scope = m.newSubManager()) {
                    NDArray logits = model.forward(ps, TinyBatch.of(scope), false).singletonOrThrow();
                    return recordsGraph(logits);
                }
            });
            assertTrue(plainRecords, "expected libtorch to record a graph on a fresh thread (the reason for NoGradient)");
            boolean guardedRecords = onFreshThread(() -> NoGradient.call(() -> {
                try (NDManager scope = m.newSubManager()) {
                    NDArray logits = model.forward(ps, TinyBatch.of(scope), false).singletonOrThrow();
                    return recordsGraph(logits);
                }
            }));
            assertFalse(guardedRecords, "a forward under NoGradient recorded a graph");
            assertTrue(onFreshThread(JniUtils::isGradMode), "NoGradient must restore the thread's mode");

            // 1,000 scoring batches on one non-main thread: arrays and memory stay flat.
            ClassifierScorer scorer = new ClassifierScorer(model, m, 0, 8);
            List<int[]> texts = List.of(new int[] {101, 1996, 2833, 2001, 2307, 102}, new int[] {101, 6659, 999, 102},
                    new int[] {101, 102}, new int[] {101, 2307, 2307, 2307, 102});
            long[] rss = new long[2];
            int[] arrays = new int[2];
            onFreshThread(() -> {
                for (int i = 0; i < 1000; i++) {
                    scorer.score(texts);
                    if (i == 99) {
                        rss[0] = rssKb();
                        arrays[0] = m.getManagedArrays().size();
                    }
                }
                rss[1] = rssKb();
                arrays[1] = m.getManagedArrays().size();
                return null;
            });
            System.out.printf(Locale.ROOT, "scorer on a pool thread: RSS %d kB after 100 batches, %d kB after 1,000 "
                    + "(%+.1f kB per 100 batches); model manager arrays %d -> %d%n", rss[0], rss[1],
                    (rss[1] - rss[0]) / 9.0, arrays[0], arrays[1]);
            assertEquals(arrays[0], arrays[1], "arrays leaked into the model's manager");
        }
    }

    @Test
    void scoresInInputOrderWithProbabilitiesThatMatchAPaddedForward() throws Exception {
        try (NDManager m = miniLm.manager().newSubManager()) {
            SequenceClassifier model = Classifiers.create(m, miniLm.base(), 3, Optional.empty(), 4);
            List<int[]> texts = List.of(new int[] {101, 102}, new int[] {101, 1996, 2833, 2001, 2307, 102},
                    new int[] {101, 6659, 999, 102});
            List<Scored> scored = onFreshThread(() -> new ClassifierScorer(model, m, 0, 2).score(texts));
            float[] reference;
            try (NDManager scope = m.newSubManager()) {
                reference = model.forward(new ParameterStore(scope, false), TinyBatch.of(scope), false)
                        .singletonOrThrow().softmax(1).toFloatArray();
            }
            // TinyBatch holds texts[1], texts[2], texts[0] padded to 6 tokens.
            int[] rowOf = {2, 0, 1};
            for (int i = 0; i < texts.size(); i++) {
                float[] p = scored.get(i).probabilities();
                assertEquals(3, p.length);
                assertEquals(1.0, p[0] + p[1] + p[2], 1e-5);
                float[] expected = java.util.Arrays.copyOfRange(reference, rowOf[i] * 3, rowOf[i] * 3 + 3);
                assertArrayEquals(expected, p, 1e-5f, "text " + i);
                int best = p[0] >= p[1] && p[0] >= p[2] ? 0 : p[1] >= p[2] ? 1 : 2;
                assertEquals(best, scored.get(i).predicted());
            }
        }
    }

    /**
     * Whether an autograd graph hangs off the array: backward through it succeeds only then. (DJL's
     * requiresGrad answers false even for a result with a grad_fn, and asking for the grad_fn's
     * name of a result without one aborts the JVM.)
     */
    private static boolean recordsGraph(NDArray array) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(array.sum());
            return true;
        } catch (EngineException e) {
            return false;
        }
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
