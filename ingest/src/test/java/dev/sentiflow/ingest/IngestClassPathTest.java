package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ingest only tokenizes, so its class path (and its image, built from the same dependencies) carries
 * neither libtorch nor the model weights: the tokenizer lives in the text module, not in model.
 * The test class path is the runtime one plus test-scope jars, so what is absent here is absent there.
 */
class IngestClassPathTest {

    private static final List<String> ENTRIES = Arrays.asList(System.getProperty("java.class.path")
            .split(File.pathSeparator));

    @Test
    void noPytorchEngineOrNativeJar() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.pytorch.engine.PtEngine"));
        assertTrue(ENTRIES.stream().noneMatch(e -> e.contains("pytorch")), () -> "a PyTorch jar: " + ENTRIES);
    }

    @Test
    void noModelModuleAndNoWeights() {
        assertTrue(ENTRIES.stream().noneMatch(e -> e.contains("sentiflow-model") || e.contains("/model/target/")),
                () -> "the model module: " + ENTRIES);
        assertNull(getClass().getClassLoader().getResource("all-minilm-l6-v2.onnx"), "the MiniLM ONNX weights");
    }

    @Test
    void theBundledTokenizerIsStillThere() {
        assertNotNull(getClass().getClassLoader().getResource(TextTokenizer.BUNDLED_RESOURCE));
        try (TextTokenizer tokenizer = TextTokenizer.bundled(16)) {
            assertTrue(tokenizer.tokenize("a fine review").ids().length > 2);
        }
    }
}
