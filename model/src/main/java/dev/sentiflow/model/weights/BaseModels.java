package dev.sentiflow.model.weights;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.modeldata.weights.BaseWeights;

/** Resolves a base-model id ({@link BaseWeights#load}: {@code minilm}, a directory, ...) to a {@link BaseModel}. */
public final class BaseModels {

    private BaseModels() {}

    /** Loads a base into a sub-manager of {@code manager}. */
    public static BaseModel load(NDManager manager, String id) {
        return BaseModel.of(manager, BaseWeights.load(id));
    }
}
