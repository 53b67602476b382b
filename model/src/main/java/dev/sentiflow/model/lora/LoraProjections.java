package dev.sentiflow.model.lora;

import dev.sentiflow.modeldata.config.LoraConfig;

import dev.sentiflow.model.bert.Dense;
import dev.sentiflow.model.bert.HfBlock;
import dev.sentiflow.model.bert.Projections;

/** Builds encoder projections with LoRA on the ones a {@link LoraConfig} targets. */
public final class LoraProjections implements Projections {

    private final LoraConfig config;

    public LoraProjections(LoraConfig config) {
        this.config = config;
    }

    @Override
    public HfBlock create(String name, int in, int out) {
        Dense dense = new Dense(in, out);
        if (!config.targets(name)) {
            return dense;
        }
        return new LoraLinear(dense, config.r(), config.alpha(), config.dropout());
    }
}
