package dev.sentiflow.inference.models;

import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.modeldata.weights.FloatTensor;
import dev.sentiflow.modeldata.weights.HostTensor;
import dev.sentiflow.modeldata.weights.WeightFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The weights a serving graph is written from: the base's encoder, and for version 0 (served before
 * any checkpoint exists) a head the base lacks drawn as Hugging Face initialises one (normal with
 * std {@code initializer_range}, zero biases) from a fixed seed, so it is the same after every
 * restart, and LoRA adapters at zero (an adapter whose B is zero adds nothing). Every version
 * replaces the head and adapters with its own.
 */
public final class ServingWeights {

    private ServingWeights() {}

    /**
     * @param layout every parameter of the served classifier by name, with its dims
     * @throws WeightFileException when the base lacks one of the encoder's tensors or has one of another shape
     */
    public static Map<String, FloatTensor> of(BaseWeights base, Map<String, long[]> layout, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float std = base.config().initializerRange();
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        List<String> lacking = new ArrayList<>();
        layout.forEach((name, dims) -> {
            HostTensor pretrained = base.weights().get(name);
            if (pretrained != null) {
                if (!Arrays.equals(pretrained.dims(), dims)) {
                    throw new WeightFileException(base.id(), "tensor '" + name + "' has dims "
                            + Arrays.toString(pretrained.dims()) + " but the model expects " + Arrays.toString(dims));
                }
                out.put(name, pretrained.toFloatTensor());
            } else if (LoraConfig.isLoraParameter(name)) {
                out.put(name, FloatTensor.zeros(dims));
            } else if (name.startsWith("pooler.") || name.startsWith("classifier.")) {
                FloatTensor drawn = FloatTensor.zeros(dims);
                if (name.endsWith(".weight")) {
                    for (int i = 0; i < drawn.data().length; i++) {
                        drawn.data()[i] = (float) (random.nextGaussian() * std);
                    }
                }
                out.put(name, drawn);
            } else {
                lacking.add(name);
            }
        });
        if (!lacking.isEmpty()) {
            throw new WeightFileException(base.id(), "base model lacks encoder tensors " + lacking);
        }
        return out;
    }
}
