package dev.sentiflow.model.lora;

import dev.sentiflow.modeldata.config.LoraConfig;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Operations over all LoRA layers of a model: freezing the base, merging, the parameter report. */
public final class LoraModules {

    private LoraModules() {}

    /** Every {@link LoraLinear} under {@code root}, depth first. */
    public static List<LoraLinear> find(Block root) {
        List<LoraLinear> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Block b, List<LoraLinear> out) {
        if (b instanceof LoraLinear l) {
            out.add(l);
        }
        for (Block c : b.getChildren().values()) {
            collect(c, out);
        }
    }

    /**
     * Freezes every parameter except LoRA A/B and the modules to save (the head): the optimizer
     * then updates exactly those.
     */
    public static void freezeBase(Map<String, Parameter> named, LoraConfig config) {
        named.forEach((name, p) -> p.freeze(!(LoraConfig.isLoraParameter(name) || config.savesModuleOf(name))));
    }

    public static void mergeAll(Block root) {
        find(root).forEach(LoraLinear::merge);
    }

    public static void unmergeAll(Block root) {
        find(root).forEach(LoraLinear::unmerge);
    }

    /** PEFT's print_trainable_parameters line: "trainable params: N || all params: M || trainable%: x". */
    public static String trainableReport(Map<String, Parameter> named) {
        long trainable = 0;
        long all = 0;
        for (Parameter p : named.values()) {
            long n = p.getShape().size();
            all += n;
            if (p.requiresGradient()) {
                trainable += n;
            }
        }
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f",
                trainable, all, all == 0 ? 0.0 : 100.0 * trainable / all);
    }
}
