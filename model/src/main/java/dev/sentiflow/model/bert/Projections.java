package dev.sentiflow.model.bert;

/**
 * Builds the linear projections inside the encoder. The default builds plain {@link Dense}
 * layers; LoRA supplies one that wraps the targeted projections, so injection happens by name
 * while the model is built rather than by surgery afterwards.
 */
@FunctionalInterface
public interface Projections {

    /**
     * @param name the projection's Hugging Face name within its layer: {@code attention.self.query},
     *     {@code attention.self.key}, {@code attention.self.value}, {@code attention.output.dense},
     *     {@code intermediate.dense} or {@code output.dense}
     */
    HfBlock create(String name, int in, int out);

    Projections PLAIN = (name, in, out) -> new Dense(in, out);
}
