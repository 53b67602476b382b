package dev.sentiflow.modeldata.weights;

import com.google.protobuf.CodedInputStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A TensorFlow checkpoint bundle ({@code variables.index} + one data shard): the index maps each
 * variable to a {@code BundleEntryProto} (dtype, shape, offset, size, masked crc32c) in the data
 * file. Float variables are returned; others (step counters) are skipped.
 */
public final class TfCheckpoint {

    private static final int ENTRY_DTYPE = 1;
    private static final int ENTRY_SHAPE = 2;
    private static final int ENTRY_SHARD = 3;
    private static final int ENTRY_OFFSET = 4;
    private static final int ENTRY_SIZE = 5;
    private static final int ENTRY_CRC = 6;
    private static final int SHAPE_DIM = 2;
    private static final int DIM_SIZE = 1;
    private static final int DT_FLOAT = 1;

    private record Entry(int dtype, long[] shape, int shard, long offset, long size, Integer crc) {}

    private TfCheckpoint() {}

    /**
     * @param index the {@code .index} file's bytes
     * @param data the single data shard, e.g. a read-only map of {@code .data-00000-of-00001}
     */
    public static Map<String, FloatTensor> read(byte[] index, ByteBuffer data, String source) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> kv : SsTable.read(index, source + " (index)").entrySet()) {
            if (kv.getKey().isEmpty()) {
                continue; // the bundle header
            }
            Entry e = entry(kv.getValue(), kv.getKey(), source);
            if (e.dtype != DT_FLOAT) {
                continue;
            }
            out.put(kv.getKey(), tensor(kv.getKey(), e, data, source));
        }
        return out;
    }

    private static FloatTensor tensor(String name, Entry e, ByteBuffer data, String source) {
        long count = 1;
        for (long d : e.shape) {
            count *= d;
        }
        if (e.shard != 0) {
            throw new WeightFileException(source, "variable " + name + " is in shard " + e.shard
                    + "; only single-shard checkpoints are supported");
        }
        if (e.size != count * 4 || e.offset < 0 || e.offset + e.size > data.capacity()) {
            throw new WeightFileException(source, "variable " + name + " needs bytes [" + e.offset + ", +"
                    + e.size + ") of a " + data.capacity() + "-byte data file (truncated or mismatched files?)");
        }
        ByteBuffer slice = data.slice((int) e.offset, (int) e.size).order(ByteOrder.LITTLE_ENDIAN);
        if (e.crc != null) {
            CRC32C crc = new CRC32C();
            crc.update(slice.duplicate());
            int masked = mask((int) crc.getValue());
            if (masked != e.crc) {
                throw new WeightFileException(source, "variable " + name + " fails its crc32c check (corrupt data file)");
            }
        }
        float[] f = new float[(int) count];
        slice.asFloatBuffer().get(f);
        return new FloatTensor(e.shape, f);
    }

    /** TensorFlow's masked crc32c. */
    private static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static Entry entry(byte[] proto, String name, String source) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(proto);
            int dtype = 0;
            int shard = 0;
            long offset = 0;
            long size = 0;
            Integer crc = null;
            List<Long> dims = new ArrayList<>();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag >>> 3) {
                    case ENTRY_DTYPE -> dtype = in.readEnum();
                    case ENTRY_SHAPE -> readShape(in.readBytes().newCodedInput(), dims);
                    case ENTRY_SHARD -> shard = in.readInt32();
                    case ENTRY_OFFSET -> offset = in.readInt64();
                    case ENTRY_SIZE -> size = in.readInt64();
                    case ENTRY_CRC -> crc = in.readFixed32();
                    default -> in.skipField(tag);
                }
            }
            return new Entry(dtype, dims.stream().mapToLong(Long::longValue).toArray(), shard, offset, size, crc);
        } catch (IOException ex) {
            throw new WeightFileException(source, "index entry for " + name + " is not a BundleEntryProto", ex);
        }
    }

    private static void readShape(CodedInputStream in, List<Long> dims) throws IOException {
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag >>> 3 == SHAPE_DIM) {
                CodedInputStream dim = in.readBytes().newCodedInput();
                long size = 0;
                for (int t = dim.readTag(); t != 0; t = dim.readTag()) {
                    if (t >>> 3 == DIM_SIZE) {
                        size = dim.readInt64();
                    } else {
                        dim.skipField(t);
                    }
                }
                dims.add(size);
            } else {
                in.skipField(tag);
            }
        }
    }
}
