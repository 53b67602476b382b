package dev.sentiflow.model.weights;

import java.util.List;

/**
 * What loading a checkpoint into a model did, by tensor name.
 *
 * @param missing model parameters the checkpoint has no tensor for (left as initialised)
 * @param unexpected checkpoint tensors the model has no parameter for (ignored)
 */
public record LoadReport(String source, List<String> loaded, List<String> missing, List<String> unexpected) {

    public String summary() {
        return source + ": loaded " + loaded.size() + " tensors; missing " + missing
                + "; unexpected " + unexpected;
    }
}
