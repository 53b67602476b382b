package dev.sentiflow.inference;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sentiflow.inference.models.BlockVersions;
import dev.sentiflow.inference.models.ServedVersion;
import dev.sentiflow.inference.models.ServedVersions;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.inference.onnx.ServingGraph;
import dev.sentiflow.inference.onnx.SessionThreads;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.infer.ClassifierScorer;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import dev.sentiflow.modeldata.metrics.Scored;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.MiniLmImport;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.data.StableSplit;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Serving speed against its peer, every figure of a row measured in one run: the stock MiniLM ONNX
 * file on ONNX Runtime (encoder only: what a Java user who only needs scores would run) against our
 * served graph (encoder, pooler and head, as {@code ServedVersions} opens it) with the base's own head
 * (no adapter), with one adapter, and with 100 adapters (rows spread over them, one run per adapter
 * group, as a batch routed to 100 models is). Batch 1/8/32/64 at 128 tokens and batch 32 at the real
 * lengths of UCI sentences (sorted, padded per run); the same with the base's linear weights in int8
 * ({@code serve.precision=int8}); then what a version costs in memory. With {@code --checkpoint FILE}
 * (a {@code finetune} output on the MiniLM base) it also scores the UCI test split and the fine-food
 * test file with that checkpoint in fp32 and in int8: accuracy and macro-F1 side by side.
 *
 * <p>Run: {@code ./bench serving [--quick] [--checkpoint FILE] [--batch B] [--rounds N]}: {@code --batch B}
 * measures that batch at 128 tokens alone (for iterating on one row), {@code --rounds N} takes each cell
 * as the best of N measurements (default 3). Every session, the stock file's too,
 * is opened with serving's options ({@link ServingGraph#sessionOptions}: ONNX Runtime's default thread
 * count, threads not spinning between runs).
 */
public final class ServingBenchmark {

    private ServingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int checkpointAt = Arrays.asList(args).indexOf("--checkpoint");
        Path checkpoint = checkpointAt >= 0 ? Path.of(args[checkpointAt + 1]).toAbsolutePath() : null;
        if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
            // Before minutes of timing, not after: ./bench runs this in inference/, so relative paths start there.
            throw new IllegalArgumentException("no checkpoint file " + checkpoint + " (a relative path is read from "
                    + "inference/; give an absolute one)");
        }
        double seconds = quick ? 1 : 6;
        int batchAt = Arrays.asList(args).indexOf("--batch");
        int[] batches = batchAt >= 0 ? new int[] {Integer.parseInt(args[batchAt + 1])}
                : quick ? new int[] {1, 32} : new int[] {1, 8, 32, 64};
        int roundsAt = Arrays.asList(args).indexOf("--rounds");
        if (roundsAt >= 0) {
            rounds = Integer.parseInt(args[roundsAt + 1]);
            seconds = seconds * rounds / ROUNDS; // each measurement as long as by default
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        // The stock file gets serving's options too (threads not spinning between runs): the same
        // runtime settings on both sides, so a ratio is the graphs' alone.
        try (TestModels models = TestModels.load(0);
             OrtSession.SessionOptions options = ServingGraph.sessionOptions(SessionThreads.DEFAULT)) {
            byte[] adapter = models.adapter(1);
            List<ServedVersion> hundred = new ArrayList<>();
            ServedVersion base = models.versions.baseHead("base");
            try (OrtSession stock = env.createSession(MiniLmImport.readResource(), options);
                 ServedVersions int8 = BlockVersions.of(models.block, models.identity,
                         BertOnnxGraph.Precision.INT8, SessionThreads.DEFAULT)) {
                for (int i = 0; i < 100; i++) {
                    hundred.add(models.versions.fromCheckpoint("m" + i, 1, "x", adapter, "adapter " + i));
                }
                ServedVersion quantized = int8.fromCheckpoint("q", 1, "x", adapter, "int8 adapter");
                hundred.add(quantized); // retired with the others
                OnnxScorer scorer = new OnnxScorer(models.tokenizer.padId(), 64);
                List<int[]> real = InferenceIT.uciReviews(models, 0, quick ? 256 : 1024).stream()
                        .map(r -> r.getTokenIds().stream().mapToInt(Integer::intValue).toArray()).toList();
                System.out.printf(Locale.ROOT, "serving bench: MiniLM (6x384), ONNX Runtime %s, %d cores; samples/s, "
                        + "and each of ours as a ratio to the stock file in the same row%n", env.getVersion(),
                        Runtime.getRuntime().availableProcessors());
                System.out.println("rows                  | stock file | ours, no adapter | ours, 1 adapter | ours, 100 "
                        + "adapters | ours int8, 1 adapter");
                for (int batch : batches) {
                    row(batch + " x 128 tokens", fixed(batch, 128), batch, seconds, stock, env, scorer, base,
                            hundred);
                }
                if (batchAt >= 0) {
                    return;
                }
                String mean = "mean " + Math.round(real.stream().mapToInt(r -> r.length).average().orElse(0));
                row("32 x real (" + mean + ")", real, 32, seconds, stock, env, scorer, base, hundred);
                // The same rows without the length split: runs of 32 padded to their longest.
                row("  runs not split", real, 32, seconds, stock, env,
                        new OnnxScorer(models.tokenizer.padId(), 64, Double.POSITIVE_INFINITY), base, hundred);
                long bytes = hundred.subList(0, 100).stream().mapToLong(ServedVersion::bytes).sum();
                System.out.printf(Locale.ROOT, "memory: 1 adapter %.2f MB (%d input tensors), 100 adapters %.1f MB, "
                        + "beside one shared session of %.1f MB of base weights%n", hundred.get(0).bytes() / 1e6,
                        hundred.get(0).onnx().inputs().count(), bytes / 1e6,
                        hundred.get(0).onnx().graph().modelBytes() / 1e6);
                System.out.printf(Locale.ROOT, "int8: one shared session of %.1f MB%n",
                        quantized.onnx().graph().modelBytes() / 1e6);
                if (checkpoint != null) {
                    quality(models, checkpoint);
                }
            } finally {
                hundred.forEach(ServedVersion::retire);
                base.retire();
            }
        }
    }

    /**
     * One table row. The machine is shared, so each cell is the best of {@link #ROUNDS} measurements
     * taken round-robin across the columns (stock, ours, ours, ...): a burst of someone else's load
     * then lowers one measurement of each column rather than a whole column.
     */
    private static void row(String what, List<int[]> rows, int batch, double seconds, OrtSession stock,
            OrtEnvironment env, OnnxScorer scorer, ServedVersion base, List<ServedVersion> hundred) throws Exception {
        List<Consumer<List<int[]>>> columns = List.of(
                b -> stockRun(env, stock, b),
                b -> scorer.score(b, base.onnx()),
                b -> scorer.score(b, hundred.get(0).onnx()),
                b -> {
                    Map<Integer, List<int[]>> groups = new LinkedHashMap<>();
                    for (int r = 0; r < b.size(); r++) {
                        groups.computeIfAbsent(r % 100, k -> new ArrayList<>()).add(b.get(r));
                    }
                    groups.forEach((k, g) -> scorer.score(g, hundred.get(k).onnx()));
                },
                b -> scorer.score(b, hundred.get(100).onnx()));
        double[] best = new double[columns.size()];
        int measurements = seconds < 2 ? 1 : rounds;
        for (int round = 0; round < measurements; round++) {
            for (int c = 0; c < columns.size(); c++) {
                best[c] = Math.max(best[c], rate(rows, batch, seconds / measurements, columns.get(c)));
            }
        }
        double theirs = best[0];
        System.out.printf(Locale.ROOT, "%-21s | %7.1f/s  | %6.1f/s %.2fx   | %6.1f/s %.2fx  | %6.1f/s %.2fx    | "
                + "%6.1f/s %.2fx%n", what, theirs, best[1], best[1] / theirs, best[2], best[2] / theirs, best[3],
                best[3] / theirs, best[4], best[4] / theirs);
    }

    /** Accuracy and macro-F1 of one checkpoint in fp32 and in int8 on the UCI test split and the fine-food test file. */
    private static void quality(TestModels models, Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        CheckpointMetadata meta;
        try (NDManager header = models.manager.newSubManager()) {
            meta = CheckpointCodec.decode(header, bytes, file.toString()).metadata();
        }
        ModelIdentity identity = new ModelIdentity(models.base.baseHash(), meta.lora(), meta.labels(),
                models.tokenizer.id(), meta.maxLength());
        Map<String, List<Row>> sets = new LinkedHashMap<>();
        StableSplit testSplit = new StableSplit(0.2);
        try (Stream<Row> rows = RowReaders.rows(Path.of("../data/uci_sentiment_sentences.csv"))) {
            sets.put("UCI test split", rows.filter(r -> testSplit.isEval(r.require("text"))).toList());
        }
        try (Stream<Row> rows = RowReaders.rows(Path.of("../data/finefoods_test.csv"))) {
            sets.put("fine-food test", rows.toList());
        }
        System.out.println("quality of " + file + " (labels " + meta.labels() + ", " + meta.kind() + ")");
        System.out.println("set             | rows | fp32 accuracy / macro-F1 | int8 accuracy / macro-F1 | labels agree");
        SequenceClassifier block = Classifiers.create(models.manager, models.base, meta.labels().size(), meta.lora(), 0);
        try (ServedVersions fp32 = BlockVersions.of(block, identity, BertOnnxGraph.Precision.FP32, SessionThreads.DEFAULT);
             ServedVersions int8 = BlockVersions.of(block, identity, BertOnnxGraph.Precision.INT8, SessionThreads.DEFAULT)) {
            ServedVersion f = fp32.fromCheckpoint("f", 1, "x", bytes, file.toString());
            ServedVersion q = int8.fromCheckpoint("q", 1, "x", bytes, file.toString());
            OnnxScorer scorer = new OnnxScorer(models.tokenizer.padId(), 32);
            try {
                for (var set : sets.entrySet()) {
                    List<int[]> ids = set.getValue().stream().map(r -> models.tokenizer.encode(r.require("text"))).toList();
                    int[] truth = set.getValue().stream().mapToInt(r -> meta.labels().indexOf(r.require("label").trim()))
                            .toArray();
                    int[] full = scorer.score(ids, f.onnx()).stream().mapToInt(Scored::predicted).toArray();
                    int[] low = scorer.score(ids, q.onnx()).stream().mapToInt(Scored::predicted).toArray();
                    ConfusionMatrix a = ConfusionMatrix.of(meta.labels(), truth, full);
                    ConfusionMatrix b = ConfusionMatrix.of(meta.labels(), truth, low);
                    long agree = java.util.stream.IntStream.range(0, full.length).filter(i -> full[i] == low[i]).count();
                    System.out.printf(Locale.ROOT, "%-15s | %4d | %.4f / %.4f          | %.4f / %.4f          | %.4f%n",
                            set.getKey(), ids.size(), a.accuracy(), a.macroF1(), b.accuracy(), b.macroF1(),
                            agree / (double) full.length);
                }
            } finally {
                f.retire();
                q.retire();
            }
        }
    }

    /** Measurements per cell by default, the best of which is printed. */
    private static final int ROUNDS = 3;
    private static int rounds = ROUNDS;

    /** Samples/s over consecutive batches of {@code rows}, for about {@code seconds} after three warm-up batches. */
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
