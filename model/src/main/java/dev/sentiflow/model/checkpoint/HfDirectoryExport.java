package dev.sentiflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.lora.LoraLinear;
import dev.sentiflow.model.lora.LoraModules;
import dev.sentiflow.modeldata.config.BertConfig;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.text.tokenizer.TextTokenizer;

import dev.sentiflow.model.weights.NdTensors;
import dev.sentiflow.modeldata.weights.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a classifier as a Hugging Face BertForSequenceClassification directory
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}), LoRA merged into the
 * weights. The same directory loads back as a base (see {@code BaseModels}), head included.
 * A DistilBERT-based model is written as the equivalent BERT (one all-zero token type).
 */
public final class HfDirectoryExport {

    private HfDirectoryExport() {}

    /** @param tokenizerJson the base's tokenizer file, or empty for the bundled one */
    public static void write(Path dir, SequenceClassifier model, List<String> labels, Optional<Path> tokenizerJson) {
        BertConfig config = model.encoder().config();
        if (labels.size() != model.numLabels()) {
            throw new IllegalArgumentException(labels.size() + " label names for " + model.numLabels() + " labels");
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), config(config, labels).toPrettyString());
            copyTokenizer(dir.resolve("tokenizer.json"), tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir + ": " + e.getMessage(), e);
        }
        List<LoraLinear> toMerge = LoraModules.find(model).stream().filter(l -> !l.isMerged()).toList();
        toMerge.forEach(LoraLinear::merge);
        try (NDManager scratch = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            model.namedParameters().forEach((name, p) -> {
                if (!LoraConfig.isLoraParameter(name)) {
                    tensors.put(name.startsWith("classifier.") ? name : "bert." + name, p.getArray());
                }
            });
            if (config.typeVocabSize() == 0) {
                tensors.put("bert.embeddings.token_type_embeddings.weight",
                        scratch.zeros(new Shape(1, config.hiddenSize())));
            }
            Safetensors.write(dir.resolve("model.safetensors"), NdTensors.toHost(tensors), Map.of("format", "pt"));
        } finally {
            toMerge.forEach(LoraLinear::unmerge);
        }
    }

    private static ObjectNode config(BertConfig config, List<String> labels) {
        ObjectNode o = config.toJson();
        ObjectNode id2label = o.putObject("id2label");
        ObjectNode label2id = o.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(Integer.toString(i), labels.get(i));
            label2id.put(labels.get(i), i);
        }
        o.put("problem_type", "single_label_classification");
        return o;
    }

    private static void copyTokenizer(Path target, Optional<Path> source) throws IOException {
        if (source.isPresent()) {
            Files.copy(source.get(), target, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (InputStream in = HfDirectoryExport.class.getClassLoader()
                .getResourceAsStream(TextTokenizer.BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new IOException(TextTokenizer.BUNDLED_RESOURCE + " is not on the classpath");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
