package dev.sentiflow.modeldata.weights;

import java.util.Optional;

/**
 * Google BERT TF variable names to canonical names: drop {@code module/} and {@code bert/},
 * {@code layer_N} to {@code layer.N}, {@code /} to {@code .}, {@code kernel} to {@code weight}
 * (the tensor must also be transposed, see {@link #isKernel}), {@code gamma}/{@code beta} to
 * {@code weight}/{@code bias}, {@code *_embeddings} to {@code *_embeddings.weight},
 * {@code cls/predictions/output_bias} to {@code cls.predictions.bias}. The next-sentence head and
 * optimizer slots are not weights of ours.
 */
public final class TfBertNames {

    private TfBertNames() {}

    public static Optional<String> canonical(String tf) {
        String n = tf.startsWith("module/") ? tf.substring("module/".length()) : tf;
        if (n.startsWith("cls/seq_relationship") || n.contains("/adam_") || n.equals("global_step")) {
            return Optional.empty();
        }
        if (n.equals("cls/predictions/output_bias")) {
            return Optional.of("cls.predictions.bias");
        }
        if (n.startsWith("bert/")) {
            n = n.substring("bert/".length());
        }
        n = n.replaceAll("layer_(\\d+)", "layer.$1").replace('/', '.');
        if (n.endsWith(".kernel")) {
            n = n.substring(0, n.length() - "kernel".length()) + "weight";
        } else if (n.endsWith(".gamma")) {
            n = n.substring(0, n.length() - "gamma".length()) + "weight";
        } else if (n.endsWith(".beta")) {
            n = n.substring(0, n.length() - "beta".length()) + "bias";
        } else if (n.endsWith("_embeddings")) {
            n = n + ".weight";
        }
        return Optional.of(n);
    }

    /** TF dense kernels are stored [in, out]; PyTorch weights are [out, in]. */
    public static boolean isKernel(String tf) {
        return tf.endsWith("/kernel");
    }
}
