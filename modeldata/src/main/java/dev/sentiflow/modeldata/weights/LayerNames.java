package dev.sentiflow.modeldata.weights;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and rewrites the layer index in canonical names ({@code encoder.layer.N.}). */
public final class LayerNames {

    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.(.*)$");

    private LayerNames() {}

    public static Optional<Integer> layerOf(String canonical) {
        Matcher m = LAYER.matcher(canonical);
        return m.matches() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    public static String withLayer(String canonical, int layer) {
        Matcher m = LAYER.matcher(canonical);
        if (!m.matches()) {
            throw new IllegalArgumentException(canonical + " is not a layer tensor");
        }
        return "encoder.layer." + layer + "." + m.group(2);
    }
}
