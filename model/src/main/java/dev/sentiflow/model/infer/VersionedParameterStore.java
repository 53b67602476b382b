package dev.sentiflow.model.infer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * Serves one model version on a shared block. Every parameter read of a forward goes through
 * {@link #getValue}: a parameter the version carries gets the version's array, any other the
 * block's own. Nothing is written into the block (LoRA is never merged for serving: merging writes
 * the shared base weights that every other version reads), so two versions can score at the same
 * time on different threads and switching versions is choosing another store.
 *
 * <p>Stateless apart from its immutable {@link AdapterWeights}, so unlike DJL's own store (which
 * caches per-device copies in a plain map) one instance is safe on any number of threads. Inference
 * only: a training forward is refused, since gradients would land on shared arrays.
 */
public final class VersionedParameterStore extends ParameterStore {

    private final AdapterWeights weights;

    public VersionedParameterStore(NDManager manager, AdapterWeights weights) {
        super(manager, false);
        this.weights = weights;
    }

    public AdapterWeights weights() {
        return weights;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null; // optional parameters (a Dense without bias) are asked for too
        }
        if (training) {
            throw new IllegalStateException("a serving parameter store does not train: parameter "
                    + parameter.getName() + " would get gradients on arrays shared by every version");
        }
        NDArray own = weights.get(parameter);
        NDArray array = own != null ? own : parameter.getArray();
        if (!array.getDevice().equals(device)) {
            // A silent per-forward copy would cost the whole model's size on every batch.
            throw new IllegalStateException("parameter " + parameter.getName() + " lives on " + array.getDevice()
                    + " but the forward runs on " + device + "; create the inputs on the model's device");
        }
        return array;
    }

    @Override
    public void updateAllParameters() {
        throw new UnsupportedOperationException("a serving parameter store has no optimizer");
    }
}
