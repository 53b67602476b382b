package dev.sentiflow.modeldata.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LoRA hyper-parameters, PEFT's meaning: rank {@code r}, scale {@code alpha / r}, dropout on the
 * LoRA path's input, and the projections to adapt. Targets are matched as PEFT matches module
 * names: a target equals the projection's name or its last dotted part(s), so {@code dense}
 * adapts every {@code *.dense} of a layer. DistilBERT names ({@code q_lin}, {@code v_lin},
 * {@code out_lin}, {@code lin1}, {@code lin2}) mean their BERT counterparts.
 *
 * @param modulesToSave head modules trained in full and shipped with the adapter
 */
public record LoraConfig(int r, float alpha, float dropout, List<String> targets, List<String> modulesToSave) {

    /** The six projections of a layer, by their names inside the layer. */
    public static final List<String> PROJECTIONS = List.of("attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense");

    private static final Map<String, String> DISTIL = Map.of("q_lin", "attention.self.query",
            "k_lin", "attention.self.key", "v_lin", "attention.self.value",
            "out_lin", "attention.output.dense", "lin1", "intermediate.dense", "lin2", "output.dense");

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA rank r must be positive, got " + r);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module");
        }
        targets = List.copyOf(targets);
        modulesToSave = List.copyOf(modulesToSave);
        for (String t : targets) {
            if (PROJECTIONS.stream().noneMatch(p -> matches(p, t))) {
                throw new IllegalArgumentException("LoRA target '" + t + "' matches no projection; use one of "
                        + "query, key, value, dense, attention.output.dense, intermediate.dense, output.dense, "
                        + "q_lin, k_lin, v_lin, out_lin, lin1, lin2");
            }
        }
    }

    /** The notebook recipe: r=8, alpha=32, dropout 0.1 on query and value; head saved whole. */
    public static LoraConfig defaults() {
        return new LoraConfig(8, 32f, 0.1f, List.of("query", "value"), List.of("pooler", "classifier"));
    }

    public LoraConfig withTargets(List<String> newTargets) {
        return new LoraConfig(r, alpha, dropout, newTargets, modulesToSave);
    }

    public LoraConfig withRank(int newR, float newAlpha) {
        return new LoraConfig(newR, newAlpha, dropout, targets, modulesToSave);
    }

    public LoraConfig withDropout(float newDropout) {
        return new LoraConfig(r, alpha, newDropout, targets, modulesToSave);
    }

    public float scale() {
        return alpha / r;
    }

    /** Whether the projection named {@code projection} (e.g. {@code attention.self.query}) is adapted. */
    public boolean targets(String projection) {
        return targets.stream().anyMatch(t -> matches(projection, t));
    }

    /** Whether a parameter is one of the LoRA A/B matrices (by its canonical name). */
    public static boolean isLoraParameter(String name) {
        return name.contains(".lora_A.") || name.contains(".lora_B.");
    }

    /** Whether {@code name} lies in one of the head modules saved whole with the adapter. */
    public boolean savesModuleOf(String name) {
        return modulesToSave.stream().anyMatch(m -> name.startsWith(m + "."));
    }

    /** Projections of a layer that are adapted, in layer order. */
    public Set<String> targetedProjections() {
        Set<String> out = new LinkedHashSet<>();
        PROJECTIONS.stream().filter(this::targets).forEach(out::add);
        return out;
    }

    private static boolean matches(String projection, String target) {
        String distil = DISTIL.get(target);
        if (distil != null) {
            return projection.equals(distil); // lin2 is the FFN output only, not every *.output.dense
        }
        return projection.equals(target) || projection.endsWith("." + target);
    }
}
