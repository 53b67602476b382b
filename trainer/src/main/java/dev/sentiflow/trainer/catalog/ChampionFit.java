package dev.sentiflow.trainer.catalog;

import dev.sentiflow.modeldata.checkpoint.CheckpointException;
import dev.sentiflow.modeldata.checkpoint.CheckpointFile;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Checks at start that every champion this trainer will compare against was trained as this trainer
 * trains (base, tokenizer, labels in order, {@code max.length}, LoRA shape). Every round scores the
 * champion, so a changed setting would otherwise fail the first round after a full fine-tune, and
 * again after every restart; here it stops the trainer before any work, naming each difference.
 */
public final class ChampionFit {

    private ChampionFit() {}

    /**
     * @param ours which models this trainer trains (another trainer's models on a shared topic are not
     *     its business)
     * @throws IllegalStateException naming every model whose champion does not fit, and what differs
     */
    public static void check(ModelsCatalog catalog, Predicate<String> ours, ModelIdentity identity, String modelsTopic) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, AssembledCheckpoint> e : catalog.champions().entrySet()) {
            if (!ours.test(e.getKey())) {
                continue;
            }
            AssembledCheckpoint champion = e.getValue();
            String source = "model " + e.getKey() + "'s champion v" + champion.version();
            try {
                identity.check(CheckpointFile.decode(champion.payload(), source).metadata(), source);
            } catch (CheckpointException mismatch) {
                problems.add(mismatch.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the champions on " + modelsTopic + " were trained with other settings "
                    + "than this trainer's, and every round compares against its champion: "
                    + String.join(" | ", problems) + ". Start the trainer with the settings the champion was trained "
                    + "with, or train a new model (another model.name, or another topic.models)");
        }
    }
}
