package dev.sentiflow.model.onnx;

import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.modeldata.weights.FloatTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** A DJL classifier's parameters as the ONNX graph writer takes them: float32, by Hugging Face name. */
public final class ClassifierWeights {

    private ClassifierWeights() {}

    public static Map<String, FloatTensor> of(SequenceClassifier model) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> out.put(name,
                new FloatTensor(p.getArray().getShape().getShape(), p.getArray().toFloatArray())));
        return out;
    }
}
