package dev.sentiflow.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sentiflow.inference.models.ServedVersion;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.model.weights.MiniLmImport;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Serving speed against its peer, every figure of a row measured in one run: the stock MiniLM ONNX
 * file on ONNX Runtime (encoder only: what a Java user who only needs scores would run) against our
 * served graph (encoder, pooler and head, as {@code ServedVersions} opens it) with the base's own head
 * (no adapter), with one adapter, and with 100 adapters (rows spread over them, one run per adapter
 * group, as a batch routed to 100 models is). Batch 1/8/32/64 at 128 tokens and batch 32 at the real
 * lengths of UCI sentences (sorted, padded per run); then what a version costs in memory.
 *
 * <p>Run: {@code ./bench serving [--quick]}. Both sessions use ONNX Runtime's default threads.
 */
public final class ServingBenchmark {

    private ServingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        double seconds = quick ? 1 : 4;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (TestModels models = TestModels.load(0);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            byte[] adapter = models.adapter(1);
            List<ServedVersion> hundred = new ArrayList<>();
            ServedVersion base = models.versions.baseHead("base");
            try (OrtSession stock = env.createSession(MiniLmImport.readResource(), options)) {
                for (int i = 0; i < 100; i++) {
                    hundred.add(models.versions.fromCheckpoint("m" + i, 1, "x", adapter, "adapter " + i));
                }
                OnnxScorer scorer = new OnnxScorer(models.tokenizer.padId(), 64);
                List<int[]> real = InferenceIT.uciReviews(models, 0, quick ? 256 : 1024).stream()
                        .map(r -> r.getTokenIds().stream().mapToInt(Integer::intValue).toArray()).toList();
                System.out.printf(Locale.ROOT, "serving bench: MiniLM (6x384), ONNX Runtime %s, %d cores; samples/s, "
                        + "and each of ours as a ratio to the stock file in the same row%n", env.getVersion(),
                        Runtime.getRuntime().availableProcessors());
                System.out.println("rows                  | stock file | ours, no adapter | ours, 1 adapter | ours, 100 "
                        + "adapters");
                for (int batch : quick ? new int[] {1, 32} : new int[] {1, 8, 32, 64}) {
                    row(batch + " x 128 tokens", fixed(batch, 128), batch, seconds, stock, env, scorer, base,
                            hundred);
                }
                row("32 x real (mean " + Math.round(real.stream().mapToInt(r -> r.length).average().orElse(0))
                        + ")", real, 32, seconds, stock, env, scorer, base, hundred);
                long bytes = hundred.stream().mapToLong(ServedVersion::bytes).sum();
                System.out.printf(Locale.ROOT, "memory: 1 adapter %.2f MB (%d input tensors), 100 adapters %.1f MB, "
                        + "beside one shared session of %.1f MB of base weights%n", hundred.get(0).bytes() / 1e6,
                        hundred.get(0).onnx().inputs().count(), bytes / 1e6,
                        hundred.get(0).onnx().graph().modelBytes() / 1e6);
            } finally {
                hundred.forEach(ServedVersion::retire);
                base.retire();
            }
        }
    }

    private static void row(String what, List<int[]> rows, int batch, double seconds, OrtSession stock,
            OrtEnvironment env, OnnxScorer scorer, ServedVersion base, List<ServedVersion> hundred) throws Exception {
        double theirs = rate(rows, batch, seconds, b -> stockRun(env, stock, b));
        double none = rate(rows, batch, seconds, b -> scorer.score(b, base.onnx()));
        double one = rate(rows, batch, seconds, b -> scorer.score(b, hundred.get(0).onnx()));
        double many = rate(rows, batch, seconds, b -> {
            Map<Integer, List<int[]>> groups = new LinkedHashMap<>();
            for (int r = 0; r < b.size(); r++) {
                groups.computeIfAbsent(r % hundred.size(), k -> new ArrayList<>()).add(b.get(r));
            }
            groups.forEach((k, g) -> scorer.score(g, hundred.get(k).onnx()));
        });
        System.out.printf(Locale.ROOT, "%-21s | %7.1f/s  | %6.1f/s %.2fx   | %6.1f/s %.2fx  | %6.1f/s %.2fx%n", what,
                theirs, none, none / theirs, one, one / theirs, many, many / theirs);
    }

    /** Samples/s over consecutive batches of {@code rows}, for about {@code seconds} after one warm-up pass. */
    private static double rate(List<int[]> rows, int batch, double seconds, Consumer<List<int[]>> run) {
        for (int from = 0; from < Math.min(rows.size(), batch * 3); from += batch) {
            run.accept(rows.subList(from, Math.min(rows.size(), from + batch)));
        }
        long begin = System.nanoTime();
        long done = 0;
        int from = 0;
        while (System.nanoTime() - begin < seconds * 1e9) {
            List<int[]> b = rows.subList(from, Math.min(rows.size(), from + batch));
            run.accept(b);
            done += b.size();
            from = from + batch >= rows.size() ? 0 : from + batch;
        }
        return done / ((System.nanoTime() - begin) / 1e9);
    }

    /** One run of the stock file on a batch: sorted by length and padded to its longest, as ours is. */
    private static void stockRun(OrtEnvironment env, OrtSession stock, List<int[]> batch) {
        List<int[]> sorted = new ArrayList<>(batch);
        sorted.sort((a, b) -> Integer.compare(b.length, a.length));
        int length = sorted.get(0).length;
        long[] ids = new long[sorted.size() * length];
        long[] mask = new long[ids.length];
        for (int r = 0; r < sorted.size(); r++) {
            for (int t = 0; t < sorted.get(r).length; t++) {
                ids[r * length + t] = sorted.get(r)[t];
                mask[r * length + t] = 1;
            }
        }
        long[] shape = {sorted.size(), length};
        try (OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape)) {
            stock.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t)).close();
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} rows of {@code length} real-looking token ids ([CLS] first). */
    private static List<int[]> fixed(int n, int length) {
        List<int[]> rows = new ArrayList<>();
        for (int r = 0; r < Math.max(n, 64); r++) {
            int[] ids = new int[length];
            for (int t = 0; t < length; t++) {
                ids[t] = t == 0 ? 101 : 1000 + (int) (((long) r * length + t) * 7919L % 20000);
            }
            rows.add(ids);
        }
        return rows;
    }
}
