package dev.sentiflow.modeldata.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @Test
    void roundTripKeepsNamesOrderShapesTypesAndMetadata(@TempDir Path dir) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("z.weight", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        ByteBuffer ids = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-8).flip();
        tensors.put("a.ids", new HostTensor(DType.INT64, new long[] {2}, ids));
        tensors.put("scalar", HostTensor.of(new float[] {0.5f}));
        Path f = dir.resolve("x.safetensors");
        Safetensors.write(f, tensors, Map.of("format", "pt", "k", "v"));

        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(List.of("z.weight", "a.ids", "scalar"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt", "k", "v"), c.metadata());
        assertArrayEquals(new long[] {2, 3}, c.tensors().get("z.weight").dims());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.tensors().get("z.weight").toFloats());
        assertEquals(DType.INT64, c.tensors().get("a.ids").type());
        assertEquals(-8, c.tensors().get("a.ids").data().getLong(8));
        assertArrayEquals(new long[0], c.tensors().get("scalar").dims());
        assertArrayEquals(new float[] {0.5f}, c.tensors().get("scalar").toFloats());

        byte[] bytes = Safetensors.encode(tensors, Map.of());
        assertEquals(0, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0) % 8, "header padded to 8");
        // Decoded tensors are copies: the bytes they came from may be reused.
        HostTensor w = Safetensors.decode(bytes, "mem").tensors().get("z.weight");
        Arrays.fill(bytes, (byte) 0);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.toFloats());
    }

    @Test
    void readsHalfPrecisionWrittenByOthers() {
        // F16 1.0, -2.0, 65504 (the largest), 2^-24 (the smallest subnormal); BF16 1.5, -0.25.
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x7BFF)
                .putShort((short) 0x0001).putShort((short) 0x3FC0).putShort((short) 0xBE80);
        Map<String, HostTensor> t = Safetensors.decode(b.array(), "half").tensors();
        assertEquals(DType.FLOAT16, t.get("h").type());
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, t.get("h").toFloats());
        assertEquals(DType.BFLOAT16, t.get("b").type());
        assertArrayEquals(new float[] {1.5f, -0.25f}, t.get("b").toFloats());
    }

    @Test
    void corruptFilesGiveMessagesNamingFileAndProblem(@TempDir Path dir) throws Exception {
        byte[] good = Safetensors.encode(Map.of("w", HostTensor.of(new float[] {1, 2, 3, 4}, 4)), Map.of());

        Path truncated = Files.write(dir.resolve("truncated.safetensors"), Arrays.copyOf(good, good.length - 4));
        WeightFileException e = assertThrows(WeightFileException.class, () -> Safetensors.read(truncated));
        assertTrue(e.getMessage().startsWith(truncated.toString()) && e.getMessage().contains("'w'")
                && e.getMessage().contains("truncated"), e.getMessage());

        Path text = Files.writeString(dir.resolve("notes.txt"), "just some text that is not a model");
        e = assertThrows(WeightFileException.class, () -> Safetensors.read(text));
        assertTrue(e.getMessage().contains("notes.txt") && e.getMessage().contains("not a safetensors file"),
                e.getMessage());

        Path tiny = Files.write(dir.resolve("tiny"), new byte[3]);
        e = assertThrows(WeightFileException.class, () -> Safetensors.read(tiny));
        assertTrue(e.getMessage().contains("only 3 bytes"), e.getMessage());

        Path missing = dir.resolve("absent.safetensors");
        e = assertThrows(WeightFileException.class, () -> Safetensors.read(missing));
        assertTrue(e.getMessage().contains("absent.safetensors"), e.getMessage());

        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] huge = ByteBuffer.allocate(8 + json.length + 16).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length)
                .put(json).array();
        e = assertThrows(WeightFileException.class, () -> Safetensors.decode(huge, "forged"));
        assertTrue(e.getMessage().contains("impossible shape"), e.getMessage());
    }
}
