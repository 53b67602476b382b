package dev.sentiflow.model.head;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.weights.BaseWeights;

/** The real MiniLM base cut to its first layers, with the manager that owns it: small tests' base. */
public final class TruncatedMiniLm implements AutoCloseable {

    private final NDManager manager;
    private final BaseModel base;

    private TruncatedMiniLm(NDManager manager, BaseModel base) {
        this.manager = manager;
        this.base = base;
    }

    public static TruncatedMiniLm firstLayers(int layers) {
        NDManager manager = NDManager.newBaseManager();
        try (BaseModel full = BaseModels.load(manager, BaseWeights.MINILM)) {
            return new TruncatedMiniLm(manager, full.firstLayers(layers));
        }
    }

    public NDManager manager() {
        return manager;
    }

    public BaseModel base() {
        return base;
    }

    @Override
    public void close() {
        base.close();
        manager.close();
    }
}
