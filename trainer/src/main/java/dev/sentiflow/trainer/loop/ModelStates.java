package dev.sentiflow.trainer.loop;

import dev.sentiflow.trainer.intake.ExampleIntake;
import dev.sentiflow.trainer.trigger.RoundTrigger;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Each model's intake (its window, replay, evaluation and unlabeled samples) and its round trigger,
 * created when the first record for the model arrives.
 */
public final class ModelStates {

    private final Map<String, ExampleIntake> intakes = new LinkedHashMap<>();
    private final Map<String, RoundTrigger> triggers = new HashMap<>();
    private final Function<String, ExampleIntake> newIntake;
    private final Function<String, RoundTrigger> newTrigger;

    public ModelStates(Function<String, ExampleIntake> newIntake, Function<String, RoundTrigger> newTrigger) {
        this.newIntake = newIntake;
        this.newTrigger = newTrigger;
    }

    public ExampleIntake intake(String model) {
        return intakes.computeIfAbsent(model, m -> {
            triggers.put(m, newTrigger.apply(m));
            return newIntake.apply(m);
        });
    }

    public RoundTrigger trigger(String model) {
        intake(model);
        return triggers.get(model);
    }

    public List<String> models() {
        return List.copyOf(intakes.keySet());
    }

    public Collection<ExampleIntake> intakes() {
        return intakes.values();
    }

    /**
     * Forgets every uncommitted window and starts each trigger afresh (from the catalog's champion):
     * the consumer re-reads from the committed offsets, and the samples dedupe by id.
     */
    public void resetWindows() {
        intakes.values().forEach(ExampleIntake::dropWindow);
        intakes.keySet().forEach(m -> triggers.put(m, newTrigger.apply(m)));
    }
}
