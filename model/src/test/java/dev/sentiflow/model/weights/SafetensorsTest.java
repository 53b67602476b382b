package dev.sentiflow.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @Test
    void roundTripKeepsNamesOrderShapesTypesAndMetadata(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("z.weight", m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)));
            tensors.put("a.ids", m.create(new long[] {7, -8}));
            tensors.put("scalar", m.create(new float[] {0.5f}, new Shape()));
            Path f = dir.resolve("x.safetensors");
            Safetensors.write(f, tensors, Map.of("format", "pt", "k", "v"));

            Safetensors.Contents c = Safetensors.read(m, f);
            assertEquals(List.of("z.weight", "a.ids", "scalar"), List.copyOf(c.tensors().keySet()));
            assertEquals(Map.of("format", "pt", "k", "v"), c.metadata());
            assertEquals(new Shape(2, 3), c.tensors().get("z.weight").getShape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.tensors().get("z.weight").toFloatArray());
            assertEquals(DataType.INT64, c.tensors().get("a.ids").getDataType());
            assertArrayEquals(new long[] {7, -8}, c.tensors().get("a.ids").toLongArray());
            assertEquals(new Shape(), c.tensors().get("scalar").getShape());

            byte[] bytes = Safetensors.encode(tensors, Map.of());
            assertEquals(0, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0) % 8, "header padded to 8");
            // Loaded arrays own writable memory: the optimizer writes into them.
            NDArray w = Safetensors.decode(m, bytes, "mem").tensors().get("z.weight");
            w.addi(1f);
            assertArrayEquals(new float[] {2, 3, 4, 5, 6, 7}, w.toFloatArray());
        }
    }

    @Test
    void readsHalfPrecisionWrittenByOthers() {
        // {"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}} with 1.0, -2.0 in IEEE half.
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).putShort((short) 0x3C00).putShort((short) 0xC000);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray h = Safetensors.decode(m, b.array(), "half").tensors().get("h");
            assertEquals(DataType.FLOAT16, h.getDataType());
            assertArrayEquals(new float[] {1f, -2f}, h.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    @Test
    void corruptFilesGiveMessagesNamingFileAndProblem(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            byte[] good = Safetensors.encode(Map.of("w", m.create(new float[] {1, 2, 3, 4})), Map.of());

            Path truncated = Files.write(dir.resolve("truncated.safetensors"), Arrays.copyOf(good, good.length - 4));
            WeightFileException e = assertThrows(WeightFileException.class, () -> Safetensors.read(m, truncated));
            assertTrue(e.getMessage().startsWith(truncated.toString()) && e.getMessage().contains("'w'")
                    && e.getMessage().contains("truncated"), e.getMessage());

            Path text = Files.writeString(dir.resolve("notes.txt"), "just some text that is not a model");
            e = assertThrows(WeightFileException.class, () -> Safetensors.read(m, text));
            assertTrue(e.getMessage().contains("notes.txt") && e.getMessage().contains("not a safetensors file"),
                    e.getMessage());

            Path tiny = Files.write(dir.resolve("tiny"), new byte[3]);
            e = assertThrows(WeightFileException.class, () -> Safetensors.read(m, tiny));
            assertTrue(e.getMessage().contains("only 3 bytes"), e.getMessage());

            Path missing = dir.resolve("absent.safetensors");
            e = assertThrows(WeightFileException.class, () -> Safetensors.read(m, missing));
            assertTrue(e.getMessage().contains("absent.safetensors"), e.getMessage());
        }
    }
}
