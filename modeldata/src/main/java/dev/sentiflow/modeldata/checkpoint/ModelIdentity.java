package dev.sentiflow.modeldata.checkpoint;

import dev.sentiflow.modeldata.config.LoraConfig;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * Everything about a model that changes its output apart from the weights a checkpoint carries:
 * the base weights (by hash), the tokenizer, the label names in logit order, the token limit and,
 * for adapters, the LoRA shape (rank, alpha, adapted projections, head modules). A checkpoint is
 * applied only to a model of the same identity; names and shapes alone would accept an adapter
 * trained with another alpha (same shapes, other scale) or with the labels in another order.
 *
 * <p>LoRA dropout is not part of it: it does nothing at inference.
 */
public record ModelIdentity(String baseHash, Optional<LoraConfig> lora, List<String> labels, String tokenizerId,
        int maxLength) {

    public ModelIdentity {
        labels = List.copyOf(labels);
        if (maxLength < 1) {
            throw new IllegalArgumentException("max length must be positive, got " + maxLength);
        }
    }

    /** Throws, naming every mismatch, unless a checkpoint with {@code meta} fits a model of this identity. */
    public void check(CheckpointMetadata meta, String source) {
        List<String> problems = new ArrayList<>();
        if (!meta.baseHash().equals(baseHash)) {
            problems.add("trained on base " + abbreviate(meta.baseHash()) + " but this model's base is "
                    + abbreviate(baseHash));
        }
        if (!meta.tokenizerId().equals(tokenizerId)) {
            problems.add("tokenized with " + meta.tokenizerId() + " but this model uses " + tokenizerId);
        }
        if (!meta.labels().equals(labels)) {
            problems.add("labels " + meta.labels() + " but this model's are " + labels
                    + (new HashSet<>(meta.labels()).equals(new HashSet<>(labels)) ? " (same names, other order)" : ""));
        }
        if (meta.maxLength() != maxLength) {
            problems.add("trained with max length " + meta.maxLength() + " but this model uses " + maxLength);
        }
        if (meta.kind() == CheckpointKind.ADAPTER) {
            problems.addAll(loraProblems(meta.lora().orElseThrow()));
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(source, String.join("; ", problems) + "; refusing to load it");
        }
    }

    /** How an adapter trained with {@code theirs} does not fit this model's LoRA layers; empty when it fits. */
    public List<String> loraProblems(LoraConfig theirs) {
        List<String> problems = new ArrayList<>();
        if (lora.isEmpty()) {
            problems.add("is a LoRA adapter but this model has no LoRA layers");
        } else {
            loraProblems(theirs, lora.get(), problems);
        }
        return problems;
    }

    private static void loraProblems(LoraConfig theirs, LoraConfig ours, List<String> problems) {
        if (theirs.r() != ours.r() || Float.compare(theirs.alpha(), ours.alpha()) != 0) {
            problems.add("LoRA r=" + theirs.r() + " alpha=" + theirs.alpha() + " but this model has r=" + ours.r()
                    + " alpha=" + ours.alpha());
        }
        if (!theirs.targetedProjections().equals(ours.targetedProjections())) {
            problems.add("LoRA on " + theirs.targetedProjections() + " but this model adapts "
                    + ours.targetedProjections());
        }
        if (!new HashSet<>(theirs.modulesToSave()).equals(new HashSet<>(ours.modulesToSave()))) {
            problems.add("head modules " + theirs.modulesToSave() + " but this model trains " + ours.modulesToSave());
        }
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }
}
