package dev.sentiflow.modeldata.weights;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few parts of an ONNX {@code ModelProto} that weight import needs: the graph's nodes
 * (op type, inputs, outputs) and its float initializers. Read field by field with protobuf's
 * {@link CodedInputStream}, so no generated ONNX classes are needed. Field numbers are from
 * onnx.proto3.
 */
public final class OnnxGraph {

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_OP_TYPE = 4;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int ONNX_FLOAT = 1;

    /** One graph node. */
    public record Node(String opType, List<String> inputs, List<String> outputs) {}

    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, FloatTensor> initializers = new LinkedHashMap<>();
    private final List<String> skipped = new ArrayList<>();

    private OnnxGraph() {}

    public List<Node> nodes() {
        return nodes;
    }

    /** Float initializers by name, in file order. */
    public Map<String, FloatTensor> initializers() {
        return initializers;
    }

    /** Names of initializers that are not float32 (shape constants and the like). */
    public List<String> skippedInitializers() {
        return skipped;
    }

    /** Parses a serialized ONNX model; {@code source} names it in error messages. */
    public static OnnxGraph parse(byte[] model, String source) {
        OnnxGraph g = new OnnxGraph();
        try {
            CodedInputStream in = CodedInputStream.newInstance(model);
            in.setSizeLimit(Integer.MAX_VALUE);
            boolean sawGraph = false;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (fieldOf(tag) == MODEL_GRAPH) {
                    g.readGraph(in.readBytes().newCodedInput());
                    sawGraph = true;
                } else {
                    in.skipField(tag);
                }
            }
            if (!sawGraph) {
                throw new WeightFileException(source, "ONNX model has no graph");
            }
        } catch (IOException e) {
            throw new WeightFileException(source, "not a valid ONNX model: " + e.getMessage(), e);
        }
        return g;
    }

    private void readGraph(CodedInputStream in) throws IOException {
        in.setSizeLimit(Integer.MAX_VALUE);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (fieldOf(tag)) {
                case GRAPH_NODE -> nodes.add(readNode(in.readBytes().newCodedInput()));
                case GRAPH_INITIALIZER -> readTensor(in.readBytes().newCodedInput());
                default -> in.skipField(tag);
            }
        }
    }

    private static Node readNode(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String op = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (fieldOf(tag)) {
                case NODE_INPUT -> inputs.add(in.readStringRequireUtf8());
                case NODE_OUTPUT -> outputs.add(in.readStringRequireUtf8());
                case NODE_OP_TYPE -> op = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        return new Node(op, inputs, outputs);
    }

    private void readTensor(CodedInputStream in) throws IOException {
        in.setSizeLimit(Integer.MAX_VALUE);
        List<Long> dims = new ArrayList<>();
        List<Float> floats = new ArrayList<>();
        int dataType = 0;
        String name = "";
        ByteString raw = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = fieldOf(tag);
            boolean packed = (tag & 7) == 2;
            switch (field) {
                case TENSOR_DIMS -> {
                    if (packed) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            dims.add(in.readInt64());
                        }
                        in.popLimit(limit);
                    } else {
                        dims.add(in.readInt64());
                    }
                }
                case TENSOR_DATA_TYPE -> dataType = in.readInt32();
                case TENSOR_FLOAT_DATA -> {
                    if (packed) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            floats.add(in.readFloat());
                        }
                        in.popLimit(limit);
                    } else {
                        floats.add(in.readFloat());
                    }
                }
                case TENSOR_NAME -> name = in.readStringRequireUtf8();
                case TENSOR_RAW_DATA -> raw = in.readBytes();
                default -> in.skipField(tag);
            }
        }
        if (dataType != ONNX_FLOAT) {
            skipped.add(name);
            return;
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        float[] data = new float[(int) count];
        if (raw != null) {
            if (raw.size() != count * 4) {
                throw new IOException("initializer " + name + " has " + raw.size()
                        + " raw bytes, expected " + count * 4);
            }
            raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        } else {
            if (floats.size() != count) {
                throw new IOException("initializer " + name + " has " + floats.size()
                        + " floats, expected " + count);
            }
            for (int i = 0; i < data.length; i++) {
                data[i] = floats.get(i);
            }
        }
        initializers.put(name, new FloatTensor(shape, data));
    }

    private static int fieldOf(int tag) {
        return tag >>> 3;
    }

}
