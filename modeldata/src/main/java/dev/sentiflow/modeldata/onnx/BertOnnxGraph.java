package dev.sentiflow.modeldata.onnx;

import dev.sentiflow.modeldata.config.BertConfig;
import dev.sentiflow.modeldata.onnx.OnnxModelWriter.Attribute;
import dev.sentiflow.modeldata.onnx.OnnxModelWriter.ElemType;
import dev.sentiflow.modeldata.weights.FloatTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The ONNX graph of a BERT sequence classifier, written from our own definition and weights (the
 * Hugging Face names the DJL model's parameters have): token ids and attention mask in (dynamic
 * batch and length), logits out. The weights {@code perVersion} selects (LoRA adapters, the head) are
 * graph inputs, fed with each batch, so one session serves every version of a base; all others are
 * constant initializers, the linear ones stored transposed for MatMul. A LoRA target adds its
 * low-rank update {@code scale * x A^T B^T} to the projection's output and never rewrites the base.
 * Standard ONNX ops only (opset 17), computed as the DJL model computes them: erf GELU, additive
 * mask bias of -1e9, LayerNormalization with the config's epsilon. The head reads the last layer's
 * [CLS] row alone, so that layer computes that row alone (its keys and values over every token).
 */
public final class BertOnnxGraph {

    /**
     * Which ops the graph is written with: only standard ONNX ones (portable, any runtime), or ONNX
     * Runtime's fused contrib ops where its optimizer does not fuse them itself (attention as
     * {@code com.microsoft.MultiHeadAttention} on the LoRA-adapted projections, residual + LayerNorm as
     * {@code SkipLayerNormalization}).
     */
    public enum Ops { STANDARD, ONNX_RUNTIME }

    /**
     * The precision of the base's linear weights: fp32, or int8 per output channel with activations
     * quantized per batch ({@code com.microsoft.DynamicQuantizeMatMul}, which uses the CPU's int8 dot
     * products). Embeddings, LayerNorm, biases, the LoRA adapters and the head stay fp32.
     */
    public enum Precision { FP32, INT8 }

    /** What {@link #write} produced: the model, and the graph inputs each version feeds, with their dims. */
    public record Written(byte[] model, Map<String, long[]> versionInputs, int nodes) {}

    /** The weights a version carries over a shared base: its LoRA adapters and its head (pooler, classifier). */
    public static final Predicate<String> ADAPTERS_AND_HEAD = n -> n.contains(".lora_") || n.startsWith("pooler.")
            || n.startsWith("classifier.");

    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String LOGITS = "logits";
    private static final float MASKED = 1e9f;

    private static final String MS = "com.microsoft";

    private final OnnxModelWriter w;
    private final Ops ops;
    private final Precision precision;
    private final Map<String, FloatTensor> weights;
    private final Predicate<String> perVersion;
    private final float loraScale;
    private final Map<String, long[]> versionInputs = new LinkedHashMap<>();
    private final java.util.Set<String> stored = new java.util.HashSet<>();
    private int temp;

    private BertOnnxGraph(Ops ops, Precision precision, Map<String, FloatTensor> weights, Predicate<String> perVersion,
            float loraScale) {
        this.ops = ops;
        this.precision = precision;
        this.w = new OnnxModelWriter("sentiflow-bert", ops == Ops.STANDARD && precision == Precision.FP32
                ? List.of(new OnnxModelWriter.Opset("", 17))
                : List.of(new OnnxModelWriter.Opset("", 17), new OnnxModelWriter.Opset(MS, 1)));
        this.weights = weights;
        this.perVersion = perVersion;
        this.loraScale = loraScale;
    }

    /**
     * @param weights every parameter of the classifier by its Hugging Face name
     * @param perVersion which of them are fed per version (graph inputs) rather than stored
     * @param loraScale alpha / r of the adapters (unused without LoRA weights)
     */
    public static Written write(BertConfig config, Map<String, FloatTensor> weights, Predicate<String> perVersion,
            float loraScale) {
        return write(Ops.STANDARD, config, weights, perVersion, loraScale);
    }

    /** As {@link #write(BertConfig, Map, Predicate, float)}, with these ops. */
    public static Written write(Ops ops, BertConfig config, Map<String, FloatTensor> weights, Predicate<String> perVersion,
            float loraScale) {
        return write(ops, Precision.FP32, config, weights, perVersion, loraScale);
    }

    /** As {@link #write(BertConfig, Map, Predicate, float)}, with these ops and base weights of this precision. */
    public static Written write(Ops ops, Precision precision, BertConfig config, Map<String, FloatTensor> weights,
            Predicate<String> perVersion, float loraScale) {
        BertOnnxGraph g = new BertOnnxGraph(ops, precision, weights, perVersion, loraScale);
        int labels = (int) g.tensor("classifier.weight").dims()[0];
        g.w.input(INPUT_IDS, ElemType.INT64, "batch", "sequence");
        g.w.input(ATTENTION_MASK, ElemType.INT64, "batch", "sequence");
        String hidden = g.embeddings(config);
        String maskBias = ops == Ops.STANDARD ? g.maskBias()
                : g.w.node("Cast", List.of(ATTENTION_MASK), g.name("key_padding_mask"), Attribute.ofInt("to", 6));
        for (int i = 0; i < config.numLayers(); i++) {
            // Only the last layer's [CLS] row reaches the head: that layer asks its queries, and runs its
            // output projection and feed-forward, for that row alone; its keys and values still cover every token.
            boolean last = i == config.numLayers() - 1;
            String queries = last ? g.firstToken(hidden) : hidden;
            hidden = g.layer(config, "encoder.layer." + i + ".", hidden, queries, maskBias);
        }
        String cls = g.w.node("Gather", List.of(hidden, g.int64Scalar(0)), g.name("cls"), Attribute.ofInt("axis", 1));
        String pooled = g.w.node("Tanh", List.of(g.linear(cls, "pooler.dense")), g.name("pooled"));
        String logits = g.linear(pooled, "classifier");
        g.w.node("Identity", List.of(logits), LOGITS);
        g.w.output(LOGITS, ElemType.FLOAT, "batch", (long) labels);
        return new Written(g.w.bytes(), Map.copyOf(g.versionInputs), g.w.nodeCount());
    }

    private String embeddings(BertConfig config) {
        String words = w.node("Gather", List.of(weight("embeddings.word_embeddings.weight"), INPUT_IDS), name("words"));
        String shape = w.node("Shape", List.of(INPUT_IDS), name("shape"));
        String length = w.node("Gather", List.of(shape, int64Scalar(1)), name("length"), Attribute.ofInt("axis", 0));
        String positionIds = w.node("Range", List.of(int64Scalar(0), length, int64Scalar(1)), name("position_ids"));
        String positions = w.node("Gather", List.of(weight("embeddings.position_embeddings.weight"), positionIds),
                name("positions"));
        String x = w.node("Add", List.of(words, positions), name("embedded"));
        if (weights.containsKey("embeddings.token_type_embeddings.weight")) {
            // Every token is of type 0 here, as in the DJL model when no types are given.
            String type0 = w.node("Gather", List.of(weight("embeddings.token_type_embeddings.weight"), int64Scalar(0)),
                    name("type0"));
            x = w.node("Add", List.of(x, type0), name("typed"));
        }
        return layerNorm(x, "embeddings.LayerNorm", config.layerNormEps());
    }

    /** [B,S] of 1/0 to an additive [B,1,1,S] bias: 0 for real tokens, -1e9 for padding. */
    private String maskBias() {
        String mask = w.node("Cast", List.of(ATTENTION_MASK), name("mask_float"), Attribute.ofInt("to", 1));
        String shifted = w.node("Sub", List.of(mask, floatScalar(1f)), name("mask_minus_one"));
        String bias = w.node("Mul", List.of(shifted, floatScalar(MASKED)), name("mask_bias"));
        return w.node("Unsqueeze", List.of(bias, int64s(1, 2)), name("mask_bias_4d"));
    }

    /** [B,S,H] to [B,1,H]: the first token's row, the sequence axis kept. */
    private String firstToken(String x) {
        return w.node("Slice", List.of(x, int64s(0), int64s(1), int64s(1)), name("first_token"));
    }

    /**
     * One encoder layer over {@code x}, its output for the rows of {@code queries}: {@code x} itself, or
     * its first token alone ({@link #firstToken}), whose keys and values still attend over all of {@code x}.
     */
    private String layer(BertConfig config, String p, String x, String queries, String mask) {
        return ops == Ops.STANDARD ? standardLayer(config, p, x, queries, mask)
                : fusedLayer(config, p, x, queries, mask);
    }

    /**
     * Attention and residual LayerNorms as ONNX Runtime's contrib kernels; {@code keyPadding} is int32
     * [B,S]. The query, key and value biases go into the attention kernel's bias input (one [3H]
     * constant) instead of three Adds.
     */
    private String fusedLayer(BertConfig config, String p, String x, String queries, String keyPadding) {
        List<String> biases = List.of(p + "attention.self.query.bias", p + "attention.self.key.bias",
                p + "attention.self.value.bias");
        boolean biasInAttention = biases.stream().allMatch(weights::containsKey)
                && biases.stream().noneMatch(perVersion);
        String q = linear(queries, p + "attention.self.query", !biasInAttention);
        String k = linear(x, p + "attention.self.key", !biasInAttention);
        String v = linear(x, p + "attention.self.value", !biasInAttention);
        String bias = biasInAttention ? concatenatedBias(biases) : "";
        String ctx = w.node(MS, "MultiHeadAttention", List.of(q, k, v, bias, keyPadding), List.of(name("context")),
                Attribute.ofInt("num_heads", config.numHeads())).get(0);
        String a = residualNorm(ctx, p + "attention.output.dense", queries, p + "attention.output.LayerNorm",
                config.layerNormEps());
        String inner = gelu(linear(a, p + "intermediate.dense"));
        return residualNorm(inner, p + "output.dense", a, p + "output.LayerNorm", config.layerNormEps());
    }

    /**
     * LayerNorm of {@code skip} plus the projection {@code prefix} of {@code x}, as one
     * SkipLayerNormalization; the projection's bias goes into that kernel too, unless the projection
     * already adds it (an int8 one does, inside its quantized MatMul).
     */
    private String residualNorm(String x, String prefix, String skip, String normPrefix, float eps) {
        String bias = prefix + ".bias";
        boolean biasInNorm = !quantized(prefix + ".weight") && weights.containsKey(bias) && !perVersion.test(bias);
        String projected = linear(x, prefix, !biasInNorm);
        List<String> inputs = new ArrayList<>(List.of(projected, skip, weight(normPrefix + ".weight"),
                weight(normPrefix + ".bias")));
        if (biasInNorm) {
            inputs.add(weight(bias));
        }
        return w.node(MS, "SkipLayerNormalization", inputs, List.of(name("skip_ln")), Attribute.ofFloat("epsilon", eps))
                .get(0);
    }

    /** Stored biases end to end as one initializer. */
    private String concatenatedBias(List<String> names) {
        String name = names.get(0) + "+" + (names.size() - 1);
        if (stored.add(name)) {
            int total = 0;
            for (String n : names) {
                total += tensor(n).data().length;
            }
            float[] out = new float[total];
            int at = 0;
            for (String n : names) {
                float[] part = tensor(n).data();
                System.arraycopy(part, 0, out, at, part.length);
                at += part.length;
            }
            w.initializer(name, new long[] {total}, out);
        }
        return name;
    }

    private String standardLayer(BertConfig config, String p, String x, String queries, String maskBias) {
        int heads = config.numHeads();
        int headSize = config.headSize();
        String q = split(linear(queries, p + "attention.self.query"), heads, headSize, 0, 2, 1, 3);
        String k = split(linear(x, p + "attention.self.key"), heads, headSize, 0, 2, 3, 1);
        String v = split(linear(x, p + "attention.self.value"), heads, headSize, 0, 2, 1, 3);
        String raw = w.node("MatMul", List.of(q, k), name("scores_raw"));
        String scaled = w.node("Mul", List.of(raw, floatScalar((float) (1.0 / Math.sqrt(headSize)))), name("scores"));
        String masked = w.node("Add", List.of(scaled, maskBias), name("scores_masked"));
        String probs = w.node("Softmax", List.of(masked), name("probs"), Attribute.ofInt("axis", -1));
        String context = w.node("MatMul", List.of(probs, v), name("context_heads"));
        String merged = w.node("Transpose", List.of(context), name("context_t"), Attribute.ofInts("perm", 0, 2, 1, 3));
        String ctx = w.node("Reshape", List.of(merged, int64s(0, 0, (long) heads * headSize)), name("context"));
        String attended = w.node("Add", List.of(linear(ctx, p + "attention.output.dense"), queries),
                name("attn_residual"));
        String a = layerNorm(attended, p + "attention.output.LayerNorm", config.layerNormEps());
        String inner = gelu(linear(a, p + "intermediate.dense"));
        String out = w.node("Add", List.of(linear(inner, p + "output.dense"), a), name("out_residual"));
        return layerNorm(out, p + "output.LayerNorm", config.layerNormEps());
    }

    /** [B,S,H] to [B,heads,S,headSize] (or, for keys, [B,heads,headSize,S]) by {@code perm}. */
    private String split(String t, int heads, int headSize, long... perm) {
        String shaped = w.node("Reshape", List.of(t, int64s(0, 0, heads, headSize)), name("heads"));
        return w.node("Transpose", List.of(shaped), name("heads_t"), Attribute.ofInts("perm", perm));
    }

    /** {@code x W^T + b}, plus {@code scale * x A^T B^T} where the projection carries a LoRA adapter. */
    private String linear(String x, String prefix) {
        return linear(x, prefix, true);
    }

    /**
     * As {@link #linear(String, String)}; without the bias where {@code withBias} is false (the caller
     * adds it elsewhere). An int8 weight takes its bias into the quantized MatMul itself.
     */
    private String linear(String x, String prefix, boolean withBias) {
        String weightName = prefix + ".weight";
        boolean biased = withBias && weights.containsKey(prefix + ".bias");
        String y;
        if (quantized(weightName)) {
            List<String> inputs = new ArrayList<>(quantizedWeight(x, weightName));
            if (biased) {
                inputs.add(weight(prefix + ".bias"));
            }
            y = w.node(MS, "DynamicQuantizeMatMul", inputs, List.of(name("qmm"))).get(0);
        } else {
            y = w.node("MatMul", List.of(x, transposedWeight(weightName)), name("mm"));
            if (biased) {
                y = w.node("Add", List.of(y, weight(prefix + ".bias")), name("biased"));
            }
        }
        if (weights.containsKey(prefix + ".lora_A.weight")) {
            String down = w.node("MatMul", List.of(x, transposedWeight(prefix + ".lora_A.weight")), name("lora_down"));
            String up = w.node("MatMul", List.of(down, transposedWeight(prefix + ".lora_B.weight")), name("lora_up"));
            String scaled = w.node("Mul", List.of(up, floatScalar(loraScale)), name("lora_scaled"));
            y = w.node("Add", List.of(y, scaled), name("lora_added"));
        }
        return y;
    }

    /** Whether this stored matrix is multiplied in int8. */
    private boolean quantized(String weightName) {
        return precision == Precision.INT8 && !perVersion.test(weightName);
    }

    /** {@code x * (1 + erf(x / sqrt 2)) * 0.5}, in the order ONNX Runtime's GELU fusion recognises. */
    private String gelu(String x) {
        String scaled = w.node("Div", List.of(x, floatScalar((float) Math.sqrt(2))), name("gelu_in"));
        String erf = w.node("Erf", List.of(scaled), name("gelu_erf"));
        String plus = w.node("Add", List.of(erf, floatScalar(1f)), name("gelu_plus"));
        String times = w.node("Mul", List.of(x, plus), name("gelu_times"));
        return w.node("Mul", List.of(times, floatScalar(0.5f)), name("gelu"));
    }

    private String layerNorm(String x, String prefix, float eps) {
        return w.node("LayerNormalization", List.of(x, weight(prefix + ".weight"), weight(prefix + ".bias")),
                name("ln"), Attribute.ofInt("axis", -1), Attribute.ofFloat("epsilon", eps));
    }

    /** A weight as the graph sees it: an input when fed per version, else an initializer (once). */
    private String weight(String name) {
        FloatTensor t = tensor(name);
        if (perVersion.test(name)) {
            if (!versionInputs.containsKey(name)) {
                versionInputs.put(name, t.dims());
                Object[] dims = new Object[t.dims().length];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = t.dims()[i];
                }
                w.input(name, ElemType.FLOAT, dims);
            }
            return name;
        }
        if (stored.add(name)) {
            w.initializer(name, t.dims(), t.data());
        }
        return name;
    }

    /** A [out,in] matrix as [in,out]: transposed once into an initializer, or by a node for a version's input. */
    private String transposedWeight(String name) {
        FloatTensor t = tensor(name);
        if (t.dims().length != 2) {
            throw new IllegalArgumentException(name + " is not a matrix: " + java.util.Arrays.toString(t.dims()));
        }
        if (perVersion.test(name)) {
            return w.node("Transpose", List.of(weight(name)), name("t"), Attribute.ofInts("perm", 1, 0));
        }
        String transposed = name + ".T";
        if (stored.add(transposed)) {
            int rows = (int) t.dims()[0];
            int cols = (int) t.dims()[1];
            float[] out = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out[c * rows + r] = t.data()[r * cols + c];
                }
            }
            w.initializer(transposed, new long[] {cols, rows}, out);
        }
        return transposed;
    }

    /** The inputs of a DynamicQuantizeMatMul of {@code x} by the int8 form of a stored [out,in] weight. */
    private List<String> quantizedWeight(String x, String name) {
        String values = name + ".int8";
        String scales = name + ".scales";
        String zeros = name + ".zero_points";
        if (stored.add(values)) {
            FloatTensor t = tensor(name);
            if (t.dims().length != 2) {
                throw new IllegalArgumentException(name + " is not a matrix: " + java.util.Arrays.toString(t.dims()));
            }
            PerChannelInt8 q = PerChannelInt8.of(t.data(), (int) t.dims()[0], (int) t.dims()[1]);
            w.initializer(values, new long[] {q.in(), q.out()}, q.values());
            w.initializer(scales, new long[] {q.out()}, q.scales());
            w.initializer(zeros, new long[] {q.out()}, new byte[q.out()]);
        }
        return List.of(x, values, scales, zeros);
    }

    private FloatTensor tensor(String name) {
        FloatTensor t = weights.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the model has no weight " + name + " (has " + weights.size()
                    + " weights, e.g. " + new ArrayList<>(weights.keySet()).subList(0, Math.min(3, weights.size())) + ")");
        }
        return t;
    }

    private String floatScalar(float value) {
        String name = name("const_f");
        w.initializer(name, new long[0], new float[] {value});
        return name;
    }

    private String int64Scalar(long value) {
        String name = name("const_i");
        w.initializer(name, new long[0], new long[] {value});
        return name;
    }

    private String int64s(long... values) {
        String name = name("const_is");
        w.initializer(name, new long[] {values.length}, values);
        return name;
    }

    private String name(String what) {
        return what + "_" + temp++;
    }
}
