package dev.sentiflow.modeldata.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ONNX {@code ModelProto} field by field with protobuf's {@link CodedOutputStream}, so no
 * generated ONNX classes are needed (the reader, {@code OnnxGraph}, does the same). Field numbers are
 * from onnx.proto3. Nodes are added in topological order by the caller; names are the caller's.
 */
public final class OnnxModelWriter {

    /** ONNX element types used here. */
    public enum ElemType {
        FLOAT(1), INT8(3), INT64(7);

        final int code;

        ElemType(int code) {
            this.code = code;
        }
    }

    /** An ONNX opset the model imports (empty domain: the standard one). */
    public record Opset(String domain, long version) {}

    private static final int IR_VERSION = 8;

    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();
    private final List<Opset> opsets;
    private final String graphName;
    private int nodeCount;

    public OnnxModelWriter(String graphName, List<Opset> opsets) {
        this.graphName = graphName;
        this.opsets = List.copyOf(opsets);
    }

    /** A graph input; each dim is a {@code Long} (fixed) or a {@code String} (named, dynamic). */
    public OnnxModelWriter input(String name, ElemType type, Object... dims) {
        inputs.add(valueInfo(name, type, dims));
        return this;
    }

    public OnnxModelWriter output(String name, ElemType type, Object... dims) {
        outputs.add(valueInfo(name, type, dims));
        return this;
    }

    /** A float32 constant, row-major, stored as raw little-endian bytes. */
    public OnnxModelWriter initializer(String name, long[] dims, float[] data) {
        initializers.add(floatTensor(name, dims, data));
        return this;
    }

    /** An int8 constant (quantized weights, zero points), row-major. */
    public OnnxModelWriter initializer(String name, long[] dims, byte[] int8) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        if (count != int8.length) {
            throw new IllegalArgumentException("tensor " + name + ": dims hold " + count + " values, data " + int8.length);
        }
        initializers.add(message(out -> {
            for (long d : dims) {
                out.writeInt64(1, d);
            }
            out.writeInt32(2, ElemType.INT8.code);
            out.writeString(8, name);
            out.writeByteArray(9, int8);
        }));
        return this;
    }

    /** An int64 constant (shapes, axes, indices). */
    public OnnxModelWriter initializer(String name, long[] dims, long[] data) {
        initializers.add(message(out -> {
            for (long d : dims) {
                out.writeInt64(1, d);
            }
            out.writeInt32(2, ElemType.INT64.code);
            out.writeString(8, name);
            ByteBuffer raw = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : data) {
                raw.putLong(v);
            }
            out.writeByteArray(9, raw.array());
        }));
        return this;
    }

    /** A node of the standard domain; returns its single output's name. */
    public String node(String opType, List<String> in, String out, Attribute... attributes) {
        return node("", opType, in, List.of(out), attributes).get(0);
    }

    /** A node of {@code domain} (e.g. {@code com.microsoft} for ONNX Runtime's contrib ops). */
    public List<String> node(String domain, String opType, List<String> in, List<String> out, Attribute... attributes) {
        String name = opType + "_" + nodeCount++;
        nodes.add(message(o -> {
            for (String i : in) {
                o.writeString(1, i);
            }
            for (String x : out) {
                o.writeString(2, x);
            }
            o.writeString(3, name);
            o.writeString(4, opType);
            for (Attribute a : attributes) {
                o.writeByteArray(5, a.bytes());
            }
            if (!domain.isEmpty()) {
                o.writeString(7, domain);
            }
        }));
        return out;
    }

    /** A node attribute. */
    public record Attribute(byte[] bytes) {
        public static Attribute ofInt(String name, long value) {
            return new Attribute(message(o -> {
                o.writeString(1, name);
                o.writeInt64(3, value);
                o.writeInt32(20, 2);
            }));
        }

        public static Attribute ofFloat(String name, float value) {
            return new Attribute(message(o -> {
                o.writeString(1, name);
                o.writeFloat(2, value);
                o.writeInt32(20, 1);
            }));
        }

        public static Attribute ofInts(String name, long... values) {
            return new Attribute(message(o -> {
                o.writeString(1, name);
                for (long v : values) {
                    o.writeInt64(8, v);
                }
                o.writeInt32(20, 7);
            }));
        }
    }

    public int nodeCount() {
        return nodeCount;
    }

    /** The serialized model. */
    public byte[] bytes() {
        byte[] graph = message(o -> {
            for (byte[] n : nodes) {
                o.writeByteArray(1, n);
            }
            o.writeString(2, graphName);
            for (byte[] t : initializers) {
                o.writeByteArray(5, t);
            }
            for (byte[] i : inputs) {
                o.writeByteArray(11, i);
            }
            for (byte[] x : outputs) {
                o.writeByteArray(12, x);
            }
        });
        return message(o -> {
            o.writeInt64(1, IR_VERSION);
            o.writeString(2, "sentiflow");
            o.writeByteArray(7, graph);
            for (Opset opset : opsets) {
                o.writeByteArray(8, message(s -> {
                    if (!opset.domain().isEmpty()) {
                        s.writeString(1, opset.domain());
                    }
                    s.writeInt64(2, opset.version());
                }));
            }
        });
    }

    private static byte[] floatTensor(String name, long[] dims, float[] data) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("tensor " + name + ": dims hold " + count + " values, data " + data.length);
        }
        return message(out -> {
            for (long d : dims) {
                out.writeInt64(1, d);
            }
            out.writeInt32(2, ElemType.FLOAT.code);
            out.writeString(8, name);
            ByteBuffer raw = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(data);
            out.writeByteArray(9, raw.array());
        });
    }

    private static byte[] valueInfo(String name, ElemType type, Object... dims) {
        byte[] shape = message(s -> {
            for (Object d : dims) {
                s.writeByteArray(1, message(dim -> {
                    if (d instanceof Long v) {
                        dim.writeInt64(1, v);
                    } else if (d instanceof Integer v) {
                        dim.writeInt64(1, v);
                    } else {
                        dim.writeString(2, String.valueOf(d));
                    }
                }));
            }
        });
        byte[] tensorType = message(t -> {
            t.writeInt32(1, type.code);
            t.writeByteArray(2, shape);
        });
        return message(v -> {
            v.writeString(1, name);
            v.writeByteArray(2, message(t -> t.writeByteArray(1, tensorType)));
        });
    }

    @FunctionalInterface
    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            fields.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
