package dev.sentiflow.inference.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sentiflow.modeldata.metrics.Scored;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores tokenized texts with one version through ONNX Runtime: softmax probabilities per class.
 * Texts are sorted by length and padded per run to the longest in it (so a batch of short reviews
 * does not pay for one long one), at most {@code maxRows} per run, and a new run starts where padding
 * would more than double a row; results come back in input order. With {@link ParallelRuns} wider
 * than one, each such run is dealt out into up to that many runs (of {@link #MIN_SPLIT_ROWS} rows or
 * more), scored at once.
 * Safe on any thread: a session runs concurrent batches, and a version's inputs are only read.
 */
public final class OnnxScorer {

    /** A new run starts where padding a row to the run's longest would make it more than this many times longer. */
    public static final double MAX_PADDING = 2;

    /** A batch is not cut for parallel runs below this many rows a run: smaller runs waste the kernels' width. */
    public static final int MIN_SPLIT_ROWS = 4;

    private final int padId;
    private final int maxRows;
    private final double maxPadding;
    private final ParallelRuns parallel;

    public OnnxScorer(int padId, int maxRows) {
        this(padId, maxRows, MAX_PADDING);
    }

    /** @param maxPadding {@link #MAX_PADDING}, or infinity for runs of {@code maxRows} whatever their lengths */
    public OnnxScorer(int padId, int maxRows, double maxPadding) {
        this(padId, maxRows, maxPadding, ParallelRuns.ONE);
    }

    /** @param parallel how many runs of one batch are scored at once */
    public OnnxScorer(int padId, int maxRows, double maxPadding, ParallelRuns parallel) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("max rows per run must be >= 1, got " + maxRows);
        }
        if (!(maxPadding >= 1)) {
            throw new IllegalArgumentException("max padding must be >= 1, got " + maxPadding);
        }
        this.padId = padId;
        this.maxRows = maxRows;
        this.maxPadding = maxPadding;
        this.parallel = parallel;
    }

    public List<Scored> score(List<int[]> tokenIds, OnnxVersion version) {
        Integer[] order = new Integer[tokenIds.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> tokenIds.get(i).length).reversed());
        Scored[] out = new Scored[order.length];
        List<Runnable> runs = new ArrayList<>();
        for (int from = 0; from < order.length; ) {
            int longest = tokenIds.get(order[from]).length;
            int to = from + 1;
            while (to < order.length && to - from < maxRows
                    && maxPadding * tokenIds.get(order[to]).length >= longest) {
                to++;
            }
            // Rows of similar length, cut for runs at once by dealing them out in turn: each run gets the same
            // mix of lengths, so they take about as long and none is padded more than the group.
            int ways = Math.max(1, Math.min(parallel.width(), (to - from) / MIN_SPLIT_ROWS));
            for (int w = 0; w < ways; w++) {
                int[] rows = new int[(to - from - w + ways - 1) / ways];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = order[from + w + r * ways];
                }
                runs.add(() -> {
                    float[][] probabilities = run(tokenIds, rows, version);
                    for (int r = 0; r < rows.length; r++) {
                        out[rows[r]] = Scored.of(probabilities[r]);
                    }
                });
            }
            from = to;
        }
        parallel.runAll(runs);
        return Arrays.asList(out);
    }

    private float[][] run(List<int[]> tokenIds, int[] rows, OnnxVersion version) {
        int length = 1;
        for (int row : rows) {
            length = Math.max(length, tokenIds.get(row).length);
        }
        long[] ids = new long[rows.length * length];
        long[] mask = new long[rows.length * length];
        Arrays.fill(ids, padId);
        for (int r = 0; r < rows.length; r++) {
            int[] text = tokenIds.get(rows[r]);
            for (int t = 0; t < text.length; t++) {
                ids[r * length + t] = text[t];
                mask[r * length + t] = 1;
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {rows.length, length};
        try (OnnxTensor idTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>(version.inputs().tensors());
            inputs.put(BertOnnxGraph.INPUT_IDS, idTensor);
            inputs.put(BertOnnxGraph.ATTENTION_MASK, maskTensor);
            try (OrtSession.Result result = version.graph().session().run(inputs)) {
                FloatBuffer logits = ((OnnxTensor) result.get(BertOnnxGraph.LOGITS).orElseThrow()).getFloatBuffer();
                int classes = logits.remaining() / rows.length;
                float[][] out = new float[rows.length][];
                for (int r = 0; r < rows.length; r++) {
                    float[] row = new float[classes];
                    logits.get(row);
                    out[r] = softmax(row);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + rows.length + " x " + length
                    + " tokens: " + e.getMessage(), e);
        }
    }

    static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }
}
