package dev.sentiflow.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, an optional {@code __metadata__} string map, then the raw
 * little-endian data. Written here rather than through DJL's {@code NDList} codec because
 * checkpoints need the metadata map and large files need long offsets.
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    /** Tensors in file order plus the {@code __metadata__} map (empty if absent). */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    private Safetensors() {}

    /** Encodes tensors (in map order) and metadata to safetensors bytes. */
    public static byte[] encode(Map<String, NDArray> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes a file atomically: a temporary file next to it, then a rename. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                write(out, tensors, metadata);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(OutputStream out, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            long bytes = a.getShape().size() * a.getDataType().getNumOfBytes();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtypeName(e.getKey(), a.getDataType()));
            var shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the format asks for 8-byte alignment of the data
        byte[] head = new byte[8 + padded];
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        System.arraycopy(json, 0, head, 8, json.length);
        for (int i = 8 + json.length; i < head.length; i++) {
            head[i] = ' ';
        }
        out.write(head);
        for (NDArray a : tensors.values()) {
            ByteBuffer data = a.toByteBuffer(false).order(ByteOrder.LITTLE_ENDIAN);
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            out.write(chunk);
        }
    }

    /** Reads a safetensors file; arrays are created in {@code manager}. */
    public static Contents read(NDManager manager, Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            return decode(manager, all, file.toString());
        } catch (IOException e) {
            throw new WeightFileException(file.toString(), "cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    /** Decodes safetensors bytes; {@code source} names them in error messages. */
    public static Contents decode(NDManager manager, byte[] bytes, String source) {
        return decode(manager, ByteBuffer.wrap(bytes), source);
    }

    private static Contents decode(NDManager manager, ByteBuffer buf, String source) {
        buf.order(ByteOrder.LITTLE_ENDIAN);
        long total = buf.limit();
        if (total < 8) {
            throw new WeightFileException(source, "not a safetensors file (only " + total + " bytes)");
        }
        long headerLen = buf.getLong(0);
        if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > total - 8) {
            throw new WeightFileException(source, "not a safetensors file or truncated (header length "
                    + headerLen + ", file size " + total + ")");
        }
        byte[] json = new byte[(int) headerLen];
        buf.get(8, json);
        JsonNode header;
        try {
            header = JSON.readTree(new String(json, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new WeightFileException(source, "safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new WeightFileException(source, "safetensors header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals("__metadata__")) {
                f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(f.getKey(), readTensor(manager, buf, dataStart, total, f.getKey(), f.getValue(), source));
        }
        return new Contents(tensors, metadata);
    }

    private static NDArray readTensor(NDManager manager, ByteBuffer buf, long dataStart, long total,
            String name, JsonNode t, String source) {
        DataType type = dataType(t.path("dtype").asText(), name, source);
        JsonNode dims = t.path("shape");
        JsonNode offsets = t.path("data_offsets");
        if (!dims.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new WeightFileException(source, "tensor '" + name + "' has no valid shape/data_offsets");
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).asLong();
        }
        Shape s = new Shape(shape);
        long begin = dataStart + offsets.get(0).asLong();
        long end = dataStart + offsets.get(1).asLong();
        long expected = s.size() * type.getNumOfBytes();
        if (end - begin != expected || begin < dataStart || end > total) {
            throw new WeightFileException(source, "tensor '" + name + "' " + s + " " + type
                    + " needs " + expected + " bytes but its data range is [" + (begin - dataStart)
                    + ", " + (end - dataStart) + ") in a data section of " + (total - dataStart)
                    + " bytes (truncated or corrupt file?)");
        }
        // Copy into a fresh buffer: DJL aliases direct buffers, and the source may be a read-only map.
        ByteBuffer copy = ByteBuffer.allocateDirect((int) expected).order(ByteOrder.nativeOrder());
        copy.put(buf.slice((int) begin, (int) expected));
        copy.flip();
        NDArray a = manager.create(copy, s, type);
        a.setName(name);
        return a;
    }

    private static DataType dataType(String dtype, String name, String source) {
        return switch (dtype) {
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "F64" -> DataType.FLOAT64;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw new WeightFileException(source, "tensor '" + name + "' has unsupported dtype " + dtype);
        };
    }

    private static String dtypeName(String name, DataType type) {
        return switch (type) {
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("tensor '" + name + "' has unsupported type " + type);
        };
    }
}
