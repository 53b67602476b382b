package dev.sentiflow.model.bert;

import dev.sentiflow.modeldata.config.BertConfig;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DJL block whose parameters and children carry Hugging Face names, so that the whole model
 * can list its tensors as {@code encoder.layer.0.attention.self.query.weight} and loading a
 * checkpoint is a name lookup.
 *
 * <p>Every parameter's shape is fixed when the block is built (from {@link BertConfig}), so
 * initialisation needs no sample input. DJL prefixes child names with a counter; this class keeps
 * the Hugging Face names on the side. A child registered under the empty name shares its parent's
 * prefix (used by LoRA, whose wrapped layer keeps the plain {@code query.weight} name).
 */
public abstract class HfBlock extends AbstractBlock {

    /** Parameters and children by Hugging Face name, in declaration order (the naming order). */
    private final List<Map.Entry<String, Object>> members = new ArrayList<>();

    /** Registers a child under its Hugging Face name ("" = same prefix as this block). */
    protected final <B extends Block> B child(String hfName, B block) {
        members.add(Map.entry(hfName, block));
        return addChildBlock(hfName.isEmpty() ? "self" : hfName, block);
    }

    /** Declares a parameter with a fixed shape and its Hugging Face leaf name. */
    protected final Parameter param(String hfName, Parameter.Type type, Shape shape) {
        Parameter p = addParameter(Parameter.builder().setName(hfName).setType(type).optShape(shape).build());
        members.add(Map.entry(hfName, p));
        return p;
    }

    /** Adds every parameter under this block to {@code out}, keyed by its full Hugging Face name. */
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        for (Map.Entry<String, Object> e : members) {
            if (e.getValue() instanceof Parameter p) {
                out.put(prefix + e.getKey(), p);
            } else {
                String childPrefix = e.getKey().isEmpty() ? prefix : prefix + e.getKey() + ".";
                ((HfBlock) e.getValue()).collectParameters(childPrefix, out);
            }
        }
    }

    /** All parameters of this block keyed by Hugging Face name, in a stable (declaration) order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // Shapes are fixed at construction, so children need no input shapes.
        for (Block child : getChildren().values()) {
            child.initialize(manager, dataType);
        }
    }
}
