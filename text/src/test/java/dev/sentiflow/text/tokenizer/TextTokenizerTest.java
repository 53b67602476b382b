package dev.sentiflow.text.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.bundled(16);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void encodesWithClsAndSepAndTheBertUncasedVocabulary() {
        // Ids of bert-base-uncased: "hello" = 7592, "world" = 2088; lower-casing happens in the tokenizer.
        assertArrayEquals(new int[] {101, 7592, 2088, 102}, tokenizer.encode("Hello WORLD"));
    }

    @Test
    void splitsUnknownWordsIntoWordPieces() {
        int[] ids = tokenizer.encode("unaffable");
        assertEquals(101, ids[0]);
        assertEquals(102, ids[ids.length - 1]);
        assertTrue(ids.length > 3, "a rare word splits into several pieces");
    }

    @Test
    void truncatesToMaxLengthKeepingSep() {
        int[] ids = tokenizer.encode("word ".repeat(100));
        assertEquals(16, ids.length);
        assertEquals(tokenizer.sepId(), ids[15]);
        assertTrue(tokenizer.tokenize("word ".repeat(100)).truncated());
        assertTrue(!tokenizer.tokenize("word ".repeat(14)).truncated(), "14 words + [CLS] + [SEP] fit in 16");
        assertTrue(tokenizer.tokenize("word ".repeat(15)).truncated());
    }

    @Test
    void doesNotPad() {
        assertEquals(3, tokenizer.encode("ok").length);
    }

    @Test
    void exposesSpecialTokensFromTheVocabulary() {
        assertEquals(0, tokenizer.padId());
        assertEquals(100, tokenizer.unkId());
        assertEquals(103, tokenizer.maskId());
        assertEquals(30522, tokenizer.vocabSize());
        assertTrue(tokenizer.isSpecial(101));
        assertTrue(!tokenizer.isSpecial(7592));
        assertTrue(tokenizer.id().startsWith("sha256:"));
    }

    @Test
    void rejectsBadMaxLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.bundled(1));
        assertTrue(e.getMessage().contains("max length"), e.getMessage());
    }

    @Test
    void rejectsAFileThatIsNotATokenizer(@TempDir Path dir) throws IOException {
        Path bogus = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {}}");
        IOException e = assertThrows(IOException.class, () -> TextTokenizer.fromFile(bogus, 16));
        assertTrue(e.getMessage().contains("model.vocab"), e.getMessage());
        Path missing = dir.resolve("nope.json");
        assertThrows(IOException.class, () -> TextTokenizer.fromFile(missing, 16));
    }

    @Test
    void idDiffersForADifferentVocabularyFile(@TempDir Path dir) throws IOException {
        byte[] json;
        try (var in = getClass().getClassLoader().getResourceAsStream(TextTokenizer.BUNDLED_RESOURCE)) {
            json = in.readAllBytes();
        }
        Path copy = Files.write(dir.resolve("tokenizer.json"), json);
        Path changed = Files.writeString(dir.resolve("changed.json"), new String(json).replace("\"hello\"", "\"hellx\""));
        try (TextTokenizer a = TextTokenizer.fromFile(copy, 16); TextTokenizer b = TextTokenizer.fromFile(changed, 16)) {
            assertEquals(tokenizer.id(), a.id());
            assertNotEquals(a.id(), b.id());
        }
    }
}
