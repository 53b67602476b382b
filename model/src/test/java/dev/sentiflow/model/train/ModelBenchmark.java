package dev.sentiflow.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.infer.ClassifierScorer;
import dev.sentiflow.model.infer.NoGradient;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.checkpoint.CheckpointKind;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.onnx.OnnxModelWriter;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.modeldata.weights.MiniLmImport;
import dev.sentiflow.text.data.LabeledText;
import dev.sentiflow.text.data.LabeledTextLoader;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleSupplier;

/**
 * The model's speed on this machine against its two references, every row in one run: the fp32
 * matmul rate of the runtime at the model's shapes (the limit; every figure is also given as a share
 * of it, MFU), our encoder against ONNX Runtime Java on the same MiniLM weights and the same real
 * review texts (batch 1 / 8 / 32 / 64 at a fixed 128 tokens, and real lengths with dynamic padding),
 * full and LoRA training steps split into forward, backward and optimizer, and sequence length 32 to
 * 512. Serving (ONNX Runtime on our own graph, with 1 / 10 / 100 adapters) is {@code ./bench serving}.
 *
 * <p>Run: {@code ./bench model [--quick] [--data FILE.csv]}: prints one table and writes it to
 * {@code runs/bench-results/DATE-model.json}. {@code --quick} times each row once (a smoke run for CI:
 * every row executes; its numbers mean little). Numbers, never assertions: this machine is shared.
 */
public final class ModelBenchmark {

    private static final int H = 384;
    private static final int LAYERS = 6;

    /** One line of the table; {@code ort} is NaN where there is no reference row. */
    record Row(String section, String what, double samplesPerSecond, double ortSamplesPerSecond, double mfu,
            String note) {}

    private final boolean quick;
    /** Sections to run (the limit always runs: every MFU is a share of it); empty means all. */
    private final Set<String> only;
    private final List<Row> rows = new ArrayList<>();
    private double peak;

    ModelBenchmark(boolean quick, Set<String> only) {
        Set<String> unknown = new TreeSet<>(only);
        unknown.removeAll(SECTIONS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown section(s) " + unknown + " for --only; known: " + SECTIONS);
        }
        this.quick = quick;
        this.only = only;
    }

    static final Set<String> SECTIONS = new TreeSet<>(List.of("inference", "scaling", "training"));

    private boolean runs(String section) {
        return only.isEmpty() || only.contains(section);
    }

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        boolean quick = a.contains("--quick");
        int dataAt = a.indexOf("--data");
        Path data = Path.of(dataAt >= 0 && dataAt + 1 < args.length ? args[dataAt + 1] : "../data/finefoods_train.csv");
        int onlyAt = a.indexOf("--only");
        Set<String> only = onlyAt >= 0 && onlyAt + 1 < args.length
                ? new TreeSet<>(Arrays.asList(args[onlyAt + 1].split(","))) : Set.of();
        List<Row> rows = new ModelBenchmark(quick, only).run(data);
        Path out = Path.of("../runs/bench-results", LocalDate.now() + "-model" + (quick ? "-quick" : "")
                + (only.isEmpty() ? "" : "-" + String.join("-", only)) + ".json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(Map.of("quick", quick, "rows", rows)));
        System.out.println("wrote " + out.toAbsolutePath().normalize());
    }

    /** Forward FLOPs of one MiniLM sequence of {@code s} tokens: projections, FFN and attention, per layer. */
    static double forwardFlops(int s) {
        return LAYERS * (24.0 * s * H * H + 4.0 * s * s * H);
    }

    List<Row> run(Path data) throws Exception {
        try (NDManager manager = NDManager.newBaseManager();
             BaseModel base = BaseModels.load(manager, BaseWeights.MINILM);
             TextTokenizer tokenizer = base.openTokenizer(512);
             OrtEnvironment env = OrtEnvironment.getEnvironment();
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            int threads = Runtime.getRuntime().availableProcessors();
            options.setIntraOpNumThreads(threads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession ort = env.createSession(MiniLmImport.readResource(), options)) {
                List<int[]> texts = new ArrayList<>();
                for (LabeledText t : LabeledTextLoader.defaults().limit(quick ? 200 : 1500).load(data).examples()) {
                    texts.add(tokenizer.encode(t.text()));
                }
                List<int[]> full = texts.stream().map(ids -> fixed(ids, 128, tokenizer.padId())).toList();
                System.out.printf(Locale.ROOT, "%d real reviews from %s; %s engine, ONNX Runtime %s, %d threads each%n",
                        texts.size(), data, Engine.getInstance().getEngineName(), env.getVersion(), threads);
                limit(manager, env, threads);
                SequenceClassifier model = Classifiers.create(manager, base, 2, Optional.empty(), 42);
                ParameterStore ps = new ParameterStore(manager, false);
                for (int batch : runs("inference") ? List.of(1, 8, 32, 64) : List.<Integer>of()) {
                    int n = quick ? batch : Math.max(64, 4 * batch);
                    List<int[]> sample = full.subList(0, Math.min(n, full.size()));
                    double ours = rate(sample.size(), () -> oursFixed(model, ps, manager, sample, batch));
                    double theirs = rate(sample.size(), () -> ortPadded(env, ort, sample, batch, tokenizer.padId()));
                    add("inference", "batch " + batch + ", 128 tokens", ours, theirs, forwardFlops(128), "");
                }
                List<int[]> real = texts.subList(0, Math.min(quick ? 64 : 640, texts.size())).stream()
                        .map(ids -> Arrays.copyOf(ids, Math.min(ids.length, 128))).toList();
                double meanLength = real.stream().mapToInt(x -> x.length).average().orElse(0);
                ClassifierScorer scorer = new ClassifierScorer(model, manager, tokenizer.padId(), 32);
                if (runs("inference")) {
                    double oursReal = rate(real.size(), () -> scorer.score(real));
                    double ortReal = rate(real.size(), () -> ortSortedDynamic(env, ort, real, 32, tokenizer.padId()));
                    add("inference", String.format(Locale.ROOT, "batch 32, real lengths (mean %.0f), dynamic padding",
                            meanLength), oursReal, ortReal, forwardFlops((int) Math.round(meanLength)), "");
                }
                for (int s : runs("scaling") ? List.of(32, 64, 128, 256, 512) : List.<Integer>of()) {
                    List<int[]> seqs = texts.subList(0, quick ? 8 : 32).stream().map(ids -> fixed(ids, s, tokenizer.padId()))
                            .toList();
                    double ours = rate(seqs.size(), () -> oursFixed(model, ps, manager, seqs, 8));
                    double theirs = rate(seqs.size(), () -> ortPadded(env, ort, seqs, 8, tokenizer.padId()));
                    add("scaling", "batch 8, " + s + " tokens", ours, theirs, forwardFlops(s), "");
                }
                if (runs("training")) {
                    training(manager, base, full);
                }
            }
        }
        print();
        return rows;
    }

    /**
     * The machine's fp32 matmul rate at the model's shapes, as a ceiling: each of the encoder's three
     * projection shapes (hidden to hidden, to the FFN, back) on 4,096 rows, on libtorch and on ONNX
     * Runtime's MatMul (MLAS, the kernel the serving graph runs on), and the best of all of them is
     * the peak every MFU is a share of. One kernel alone was not a ceiling: the model reached 104-119%
     * of libtorch's rate at one shape.
     */
    private void limit(NDManager manager, OrtEnvironment env, int threads) throws Exception {
        double best = 0;
        int m = 4096;
        for (int[] kn : List.of(new int[] {H, H}, new int[] {H, 4 * H}, new int[] {4 * H, H})) {
            int k = kn[0];
            int n = kn[1];
            int runs = quick ? 3 : 30;
            double flops = 2.0 * m * k * n;
            double torch;
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.randomNormal(new Shape(m, k));
                NDArray w = scope.randomNormal(new Shape(k, n));
                x.matMul(w).close();
                long begin = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    x.matMul(w).close();
                }
                torch = runs * flops / ((System.nanoTime() - begin) / 1e9) / 1e9;
            }
            double ort = ortMatMul(env, threads, m, k, n, runs) * flops / 1e9;
            best = Math.max(best, Math.max(torch, ort));
            rows.add(new Row("limit", "fp32 matmul [" + m + "," + k + "]x[" + k + "," + n + "]", Double.NaN, Double.NaN,
                    Double.NaN, String.format(Locale.ROOT, "libtorch %.0f GFLOP/s, ONNX Runtime %.0f GFLOP/s", torch,
                            ort)));
        }
        rows.add(new Row("limit", "peak (best of the above)", Double.NaN, Double.NaN, Double.NaN,
                String.format(Locale.ROOT, "%.0f GFLOP/s", best)));
        peak = best * 1e9;
    }

    /** Runs per second of one ONNX Runtime MatMul of [m,k] by a constant [k,n], after one warm-up. */
    private static double ortMatMul(OrtEnvironment env, int threads, int m, int k, int n, int runs) throws Exception {
        java.util.Random random = new java.util.Random(k * 31L + n);
        float[] w = new float[k * n];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        float[] x = new float[m * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        OnnxModelWriter writer = new OnnxModelWriter("matmul", List.of(new OnnxModelWriter.Opset("", 17)));
        writer.input("x", OnnxModelWriter.ElemType.FLOAT, (long) m, (long) k);
        writer.initializer("w", new long[] {k, n}, w);
        writer.node("MatMul", List.of("x", "w"), "y");
        writer.output("y", OnnxModelWriter.ElemType.FLOAT, (long) m, (long) n);
        byte[] model = writer.bytes();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model, options);
                 OnnxTensor input = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(x), new long[] {m, k})) {
                session.run(Map.of("x", input)).close();
                long begin = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    session.run(Map.of("x", input)).close();
                }
                return runs / ((System.nanoTime() - begin) / 1e9);
            }
        }
    }

    private void add(String section, String what, double ours, double theirs, double flopsPerSample, String note) {
        rows.add(new Row(section, what, ours, theirs, ours * flopsPerSample / peak, note));
    }

    /** Samples per second of {@code work} on {@code samples} samples: one warm-up, then the best of 1 (quick) or 3 runs. */
    private double rate(int samples, Runnable work) {
        work.run();
        double best = 0;
        for (int i = 0; i < (quick ? 1 : 3); i++) {
            long begin = System.nanoTime();
            work.run();
            best = Math.max(best, samples / ((System.nanoTime() - begin) / 1e9));
        }
        return best;
    }

    private static int[] fixed(int[] ids, int length, int padId) {
        int[] out = Arrays.copyOf(ids, length);
        if (ids.length < length) {
            Arrays.fill(out, ids.length, length, padId);
        }
        return out;
    }

    /** Our classifier on consecutive batches of equal-length rows, every position attended. */
    private static void oursFixed(SequenceClassifier model, ParameterStore ps, NDManager manager, List<int[]> rows,
            int batch) {
        NoGradient.run(() -> {
            for (int from = 0; from < rows.size(); from += batch) {
                List<int[]> part = rows.subList(from, Math.min(rows.size(), from + batch));
                try (NDManager scope = manager.newSubManager()) {
                    var padded = new PaddedBatch(flatten(part, part.get(0).length), ones(part.size() * part.get(0).length),
                            new long[part.size()], part.size(), part.get(0).length);
                    model.forward(ps, padded.inputs(scope), false).singletonOrThrow().softmax(1).toFloatArray();
                }
            }
        });
    }

    /** ONNX Runtime on consecutive batches, each padded to its longest row. */
    private static void ortPadded(OrtEnvironment env, OrtSession ort, List<int[]> rows, int batch, int padId) {
        for (int from = 0; from < rows.size(); from += batch) {
            ortBatch(env, ort, rows.subList(from, Math.min(rows.size(), from + batch)), padId);
        }
    }

    /** As {@link ClassifierScorer} does: rows sorted by length (longest first), batches padded to their longest. */
    private static void ortSortedDynamic(OrtEnvironment env, OrtSession ort, List<int[]> rows, int batch, int padId) {
        List<int[]> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt((int[] r) -> r.length).reversed());
        ortPadded(env, ort, sorted, batch, padId);
    }

    private static void ortBatch(OrtEnvironment env, OrtSession ort, List<int[]> rows, int padId) {
        int s = rows.stream().mapToInt(r -> r.length).max().orElse(1);
        int b = rows.size();
        long[] ids = new long[b * s];
        long[] mask = new long[b * s];
        Arrays.fill(ids, padId);
        for (int r = 0; r < b; r++) {
            for (int c = 0; c < rows.get(r).length; c++) {
                ids[r * s + c] = rows.get(r)[c];
                mask[r * s + c] = 1;
            }
        }
        try (OnnxTensor idT = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {b, s});
             OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {b, s});
             OnnxTensor typeT = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[b * s]), new long[] {b, s});
             OrtSession.Result result = ort.run(Map.of("input_ids", idT, "attention_mask", maskT,
                     "token_type_ids", typeT))) {
            ((OnnxTensor) result.get(0)).getFloatBuffer().get(0);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long[] flatten(List<int[]> rows, int s) {
        long[] out = new long[rows.size() * s];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < s; c++) {
                out[r * s + c] = rows.get(r)[c];
            }
        }
        return out;
    }

    private static long[] ones(int n) {
        long[] out = new long[n];
        Arrays.fill(out, 1);
        return out;
    }

    /** Full and LoRA steps at batch 16, 128 tokens: forward (training mode), backward, optimizer, each timed. */
    private void training(NDManager manager, BaseModel base, List<int[]> full) {
        for (TrainingMode mode : List.of(TrainingMode.FULL, TrainingMode.LORA)) {
            try (NDManager m = manager.newSubManager()) {
                Optional<LoraConfig> lora = mode == TrainingMode.LORA ? Optional.of(LoraConfig.defaults()) : Optional.empty();
                SequenceClassifier model = Classifiers.create(m, base, 2, lora, 42);
                TrainingConfig config = TrainingConfig.defaults(mode);
                int steps = quick ? 1 : 4;
                double forward = 0;
                double forwardBackward = 0;
                double optimizer = 0;
                long trainable;
                try (OptimizationLoop loop = new OptimizationLoop(model, model.namedParameters(), m, config, 100)) {
                    ParameterStore ps = new ParameterStore(m, false);
                    for (int s = 0; s <= steps; s++) {
                        List<int[]> part = new ArrayList<>();
                        for (int r = 0; r < 16; r++) {
                            part.add(full.get((s * 16 + r) % full.size()));
                        }
                        PaddedBatch batch = new PaddedBatch(flatten(part, 128), ones(16 * 128), new long[16], 16, 128);
                        long t0 = System.nanoTime();
                        try (NDManager scope = m.newSubManager();
                             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            model.forward(ps, batch.inputs(scope), true).singletonOrThrow().getFloat(0, 0);
                        }
                        long t1 = System.nanoTime();
                        loop.forwardBackward(batch, CrossEntropy::mean);
                        long t2 = System.nanoTime();
                        loop.step();
                        long t3 = System.nanoTime();
                        if (s > 0 || quick) { // the first step allocates and initialises lazily
                            forward += (t1 - t0) / 1e9;
                            forwardBackward += (t2 - t1) / 1e9;
                            optimizer += (t3 - t2) / 1e9;
                        }
                    }
                    trainable = loop.trainableWeights();
                }
                double perStep = (forwardBackward + optimizer) / steps;
                // Training FLOPs: forward, plus a backward of twice the forward for full (input and weight
                // gradients) and about once for LoRA (input gradients only; the frozen weights need none).
                double flops = forwardFlops(128) * (mode == TrainingMode.FULL ? 3 : 2);
                add("training", mode.name().toLowerCase(Locale.ROOT) + " step, batch 16, 128 tokens", 16 / perStep,
                        Double.NaN, flops, String.format(Locale.ROOT, "forward %.0f ms, backward %.0f ms, optimizer %.0f "
                                + "ms (%.0f%% of the step), %,d trainable weights", 1000 * forward / steps,
                                1000 * (forwardBackward - forward) / steps, 1000 * optimizer / steps,
                                100 * optimizer / (forwardBackward + optimizer), trainable));
            }
        }
    }

    private void print() {
        System.out.printf("%n%-10s %-52s %12s %12s %9s %7s  %s%n", "section", "what", "ours/s", "ORT/s", "ours/ORT",
                "MFU", "note");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-10s %-52s %12s %12s %9s %7s  %s%n", r.section(), r.what(),
                    num(r.samplesPerSecond()), num(r.ortSamplesPerSecond()),
                    Double.isNaN(r.ortSamplesPerSecond()) ? "" : String.format(Locale.ROOT, "%.2fx",
                            r.samplesPerSecond() / r.ortSamplesPerSecond()),
                    Double.isNaN(r.mfu()) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * r.mfu()), r.note());
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f", v);
    }
}
