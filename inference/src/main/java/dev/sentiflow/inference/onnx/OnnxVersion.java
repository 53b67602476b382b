package dev.sentiflow.inference.onnx;

/**
 * What one model version scores with: a graph (shared by every adapter version of the base, or its
 * own for a full fine-tune) and the inputs it feeds that graph.
 *
 * @param ownsGraph whether closing this version closes the graph too (a full fine-tune's own)
 */
public record OnnxVersion(ServingGraph graph, VersionInputs inputs, boolean ownsGraph) implements AutoCloseable {

    /** Bytes this version holds beyond the shared graph: its inputs, and its own graph's weights if it has one. */
    public long bytes() {
        return inputs.bytes() + (ownsGraph ? graph.modelBytes() : 0);
    }

    @Override
    public void close() {
        inputs.close();
        if (ownsGraph) {
            graph.close();
        }
    }
}
