package dev.sentiflow.model.bert;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import java.util.LinkedHashMap;
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

    private final Map<String, Block> hfChildren = new LinkedHashMap<>();

    /** Registers a child under its Hugging Face name ("" = same prefix as this block). */
    protected final <B extends Block> B child(String hfName, B block) {
        hfChildren.put(hfName, block);
        return addChildBlock(hfName.isEmpty() ? "self" : hfName, block);
    }

    /** Declares a parameter with a fixed shape and its Hugging Face leaf name. */
    protected final Parameter param(String hfName, Parameter.Type type, Shape shape) {
        return addParameter(Parameter.builder().setName(hfName).setType(type).optShape(shape).build());
    }

    /** Adds every parameter under this block to {@code out}, keyed by its full Hugging Face name. */
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        for (Parameter p : getDirectParameters().values()) {
            out.put(prefix + p.getName(), p);
        }
        for (Map.Entry<String, Block> e : hfChildren.entrySet()) {
            String childPrefix = e.getKey().isEmpty() ? prefix : prefix + e.getKey() + ".";
            ((HfBlock) e.getValue()).collectParameters(childPrefix, out);
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
        for (Block child : hfChildren.values()) {
            child.initialize(manager, dataType);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " computes its output shape only by running forward");
    }
}
