package dev.sentiflow.modeldata.weights;

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
 * checkpoints need the metadata map and large files need long offsets, and without an engine so
 * that inference reads checkpoints and bases without libtorch.
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    /** Tensors in file order plus the {@code __metadata__} map (empty if absent). */
    public record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {}

    private Safetensors() {}

    /** Encodes tensors (in map order) and metadata to safetensors bytes. */
    public static byte[] encode(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes a file atomically: a temporary file next to it, then a rename. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
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

    private static void write(OutputStream out, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor a = e.getValue();
            long bytes = a.data().remaining();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", a.type().safetensorsName());
            var shape = t.putArray("shape");
            for (long d : a.dims()) {
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
        byte[] chunk = new byte[1 << 16];
        for (HostTensor a : tensors.values()) {
            ByteBuffer data = a.data().duplicate();
            while (data.hasRemaining()) {
                int n = Math.min(chunk.length, data.remaining());
                data.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
    }

    /** Reads a safetensors file into memory. */
    public static Contents read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            return decode(all, file.toString());
        } catch (IOException e) {
            throw new WeightFileException(file.toString(), "cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    /** Decodes safetensors bytes; {@code source} names them in error messages. */
    public static Contents decode(byte[] bytes, String source) {
        return decode(ByteBuffer.wrap(bytes), source);
    }

    private static Contents decode(ByteBuffer buf, String source) {
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
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals("__metadata__")) {
                f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(f.getKey(), readTensor(buf, dataStart, total, f.getKey(), f.getValue(), source));
        }
        return new Contents(tensors, metadata);
    }

    private static HostTensor readTensor(ByteBuffer buf, long dataStart, long total, String name, JsonNode t,
            String source) {
        String dtype = t.path("dtype").asText();
        DType type = DType.ofSafetensorsName(dtype).orElseThrow(() -> new WeightFileException(source,
                "tensor '" + name + "' has unsupported dtype " + dtype));
        JsonNode dims = t.path("shape");
        JsonNode offsets = t.path("data_offsets");
        if (!dims.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new WeightFileException(source, "tensor '" + name + "' has no valid shape/data_offsets");
        }
        long[] shape = new long[dims.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).asLong();
            if (shape[i] < 0 || (shape[i] > 0 && elements > Long.MAX_VALUE / 8 / shape[i])) {
                throw new WeightFileException(source, "tensor '" + name + "' has an impossible shape " + dims);
            }
            elements *= shape[i];
        }
        long begin = dataStart + offsets.get(0).asLong();
        long end = dataStart + offsets.get(1).asLong();
        long expected = elements * type.bytes();
        if (end - begin != expected || begin < dataStart || end > total) {
            throw new WeightFileException(source, "tensor '" + name + "' " + java.util.Arrays.toString(shape) + " "
                    + type + " needs " + expected + " bytes but its data range is [" + (begin - dataStart)
                    + ", " + (end - dataStart) + ") in a data section of " + (total - dataStart)
                    + " bytes (truncated or corrupt file?)");
        }
        // A copy: the source may be a file mapping or a record's bytes, neither of which should stay reachable.
        ByteBuffer copy = ByteBuffer.allocate(Math.toIntExact(expected)).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(buf.slice((int) begin, (int) expected));
        copy.flip();
        return new HostTensor(type, shape, copy);
    }
}
