package dev.sentiflow.model.checkpoint;

import dev.sentiflow.modeldata.checkpoint.CheckpointException;
import dev.sentiflow.modeldata.checkpoint.CheckpointKind;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.head.TinyBatch;
import dev.sentiflow.model.head.TruncatedMiniLm;
import dev.sentiflow.model.lora.LoraModules;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.Safetensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointRoundTripTest {

    private static final List<String> LABELS = List.of("negative", "positive");

    private static TruncatedMiniLm miniLm;
    private static NDManager manager;
    private static BaseModel base;

    @BeforeAll
    static void loadBase() {
        miniLm = TruncatedMiniLm.firstLayers(1);
        manager = miniLm.manager();
        base = miniLm.base();
    }

    @AfterAll
    static void close() {
        miniLm.close();
    }

    /** A LoRA classifier whose adapter and head are far from their initial values, as after training. */
    private static SequenceClassifier trained(NDManager m, LoraConfig lora, int labels, long seed) {
        SequenceClassifier model = Classifiers.create(m, base, labels, Optional.of(lora), seed);
        model.namedParameters().forEach((name, p) -> {
            if (p.requiresGradient()) {
                p.getArray().addi(m.randomNormal(0f, 0.05f, p.getShape(), p.getArray().getDataType()));
            }
        });
        return model;
    }

    private static float[] logits(NDManager m, SequenceClassifier model) {
        return model.forward(new ParameterStore(m, false), TinyBatch.of(m), false).singletonOrThrow().toFloatArray();
    }

    private static final String TOKENIZER = "bert-base-uncased";
    private static final int MAX_LENGTH = 128;

    private static CheckpointMetadata adapterMeta(LoraConfig lora, String hash) {
        return new CheckpointMetadata(CheckpointKind.ADAPTER, hash, Optional.of(lora), LABELS, TOKENIZER, MAX_LENGTH);
    }

    /** What a serving model built on the test base with this LoRA config accepts. */
    private static ModelIdentity serving(LoraConfig lora) {
        return new ModelIdentity(base.baseHash(), Optional.of(lora), LABELS, TOKENIZER, MAX_LENGTH);
    }

    @Test
    void adapterRoundTripReproducesTheModel() {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults();
            SequenceClassifier source = trained(m, lora, 2, 1);
            byte[] bytes = CheckpointCodec.encode(source, adapterMeta(lora, base.baseHash()));
            // 1 layer x 2 targets x 2 x 8x384 floats + pooler 384x384+384 + classifier 2x384+2
            assertTrue(bytes.length < 700_000, "adapter is " + bytes.length + " bytes");

            Checkpoint decoded = CheckpointCodec.decode(m, bytes, "test-adapter");
            assertEquals(CheckpointKind.ADAPTER, decoded.metadata().kind());
            assertEquals(LABELS, decoded.metadata().labels());
            assertEquals(Optional.of(lora), decoded.metadata().lora());
            assertEquals(8, decoded.tensors().size());

            SequenceClassifier target = Classifiers.create(m, base, 2, Optional.of(lora), 99);
            assertFalse(Arrays.equals(logits(m, source), logits(m, target)));
            CheckpointCodec.apply(decoded, target, serving(lora), "test-adapter");
            assertArrayEquals(logits(m, source), logits(m, target), 0f);
        }
    }

    @Test
    void applyingIntoAMergedModelKeepsItMergedAndCorrect() {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults();
            SequenceClassifier source = trained(m, lora, 2, 1);
            byte[] bytes = CheckpointCodec.encode(source, adapterMeta(lora, base.baseHash()));
            SequenceClassifier target = trained(m, lora, 2, 5);
            LoraModules.mergeAll(target);
            CheckpointCodec.apply(CheckpointCodec.decode(m, bytes, "x"), target, serving(lora), "x");
            assertTrue(LoraModules.find(target).stream().allMatch(l -> l.isMerged()));
            assertArrayEquals(logits(m, source), logits(m, target), 1e-5f);
        }
    }

    @Test
    void fullRoundTrip() {
        try (NDManager m = manager.newSubManager()) {
            SequenceClassifier source = Classifiers.create(m, base, 3, Optional.empty(), 3);
            byte[] bytes = CheckpointCodec.encode(source, new CheckpointMetadata(CheckpointKind.FULL, base.baseHash(),
                    Optional.empty(), List.of("a", "b", "c"), "tok", 64));
            SequenceClassifier target = Classifiers.create(m, base, 3, Optional.empty(), 4);
            Checkpoint decoded = CheckpointCodec.decode(m, bytes, "full");
            assertEquals(target.namedParameters().keySet(), decoded.tensors().keySet());
            CheckpointCodec.apply(decoded, target,
                    new ModelIdentity(base.baseHash(), Optional.empty(), List.of("a", "b", "c"), "tok", 64), "full");
            assertArrayEquals(logits(m, source), logits(m, target), 0f);
        }
    }

    @Test
    void refusesWrongBaseUnknownNamesWrongShapesAndCorruptBytes() {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults();
            byte[] bytes = CheckpointCodec.encode(trained(m, lora, 2, 1), adapterMeta(lora, base.baseHash()));
            Checkpoint cp = CheckpointCodec.decode(m, bytes, "cp-7");
            SequenceClassifier model = Classifiers.create(m, base, 2, Optional.of(lora), 2);

            CheckpointException wrongBase = assertThrows(CheckpointException.class,
                    () -> CheckpointCodec.apply(cp, model, new ModelIdentity("0123456789abcdef", Optional.of(lora), LABELS,
                            TOKENIZER, MAX_LENGTH), "cp-7"));
            assertTrue(wrongBase.getMessage().contains("cp-7") && wrongBase.getMessage().contains("trained on base"),
                    wrongBase.getMessage());

            LoraConfig onlyQuery = lora.withTargets(List.of("query"));
            SequenceClassifier fewer = Classifiers.create(m, base, 2, Optional.of(onlyQuery), 2);
            CheckpointException unknown = assertThrows(CheckpointException.class,
                    () -> CheckpointCodec.verify(new Checkpoint(cp.metadata(), cp.tensors()), fewer, serving(lora), "cp-7"));
            assertTrue(unknown.getMessage().contains("unknown to this model")
                    && unknown.getMessage().contains("attention.self.value.lora_A.weight"), unknown.getMessage());

            SequenceClassifier threeLabels = Classifiers.create(m, base, 3, Optional.of(lora), 2);
            CheckpointException shape = assertThrows(CheckpointException.class,
                    () -> CheckpointCodec.apply(cp, threeLabels, serving(lora), "cp-7"));
            assertTrue(shape.getMessage().contains("'classifier.weight' has shape (2, 384)")
                    && shape.getMessage().contains("(3, 384)"), shape.getMessage());

            byte[] truncated = Arrays.copyOf(bytes, bytes.length - 100);
            CheckpointException corrupt = assertThrows(CheckpointException.class,
                    () -> CheckpointCodec.decode(m, truncated, "cp-8"));
            assertTrue(corrupt.getMessage().contains("cp-8") && corrupt.getMessage().contains("truncated"),
                    corrupt.getMessage());

            CheckpointException garbage = assertThrows(CheckpointException.class,
                    () -> CheckpointCodec.decode(m, "hello world, not a checkpoint".getBytes(), "cp-9"));
            assertTrue(garbage.getMessage().contains("cp-9"), garbage.getMessage());
        }
    }

    @Test
    void peftExportUsesPeftNamesAndImportsBack(@TempDir Path dir) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults();
            SequenceClassifier source = trained(m, lora, 2, 1);
            PeftAdapterFiles.write(dir, source, lora, base.config(), "sentence-transformers/all-MiniLM-L6-v2");

            JsonNode config = new ObjectMapper().readTree(dir.resolve(PeftAdapterFiles.CONFIG).toFile());
            assertEquals("LORA", config.get("peft_type").asText());
            assertEquals("SEQ_CLS", config.get("task_type").asText());
            assertEquals(8, config.get("r").asInt());
            assertEquals(32.0, config.get("lora_alpha").asDouble());
            assertEquals("[\"query\",\"value\"]", config.get("target_modules").toString());
            assertEquals("[\"pooler\",\"classifier\"]", config.get("modules_to_save").toString());

            Map<String, String> names;
            try (NDManager r = m.newSubManager()) {
                Safetensors.Contents c = Safetensors.read(dir.resolve(PeftAdapterFiles.WEIGHTS));
                assertEquals("pt", c.metadata().get("format"));
                assertTrue(c.tensors().containsKey(
                        "base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight"));
                assertTrue(c.tensors().containsKey(
                        "base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight"));
                assertTrue(c.tensors().containsKey("base_model.model.bert.pooler.dense.weight"));
                assertTrue(c.tensors().containsKey("base_model.model.classifier.bias"));
                assertEquals(8, c.tensors().size());
                names = Map.of();
            }
            assertTrue(names.isEmpty());

            PeftAdapterFiles.Adapter adapter = PeftAdapterFiles.read(m, dir);
            assertEquals(lora, adapter.config());
            SequenceClassifier target = Classifiers.create(m, base, 2, Optional.of(adapter.config()), 77);
            CheckpointCodec.apply(adapter.toCheckpoint(base.baseHash(), LABELS, TOKENIZER, MAX_LENGTH), target,
                    serving(adapter.config()), "peft");
            assertArrayEquals(logits(m, source), logits(m, target), 0f);
        }
    }

    @Test
    void peftTargetsWithDenseAreWrittenAsAnExactRegex(@TempDir Path dir) {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults().withTargets(List.of("query", "dense"));
            SequenceClassifier source = trained(m, lora, 2, 1);
            PeftAdapterFiles.write(dir, source, lora, base.config(), "x");
            PeftAdapterFiles.Adapter adapter = PeftAdapterFiles.read(m, dir);
            assertEquals(List.of("attention.self.query", "attention.output.dense", "intermediate.dense",
                    "output.dense"), adapter.config().targets());
            assertEquals(lora.targetedProjections(), adapter.config().targetedProjections());
        }
    }

    /** PEFT full-matches target_modules with Python's re, which has no Java-only syntax such as \\Q...\\E. */
    @Test
    void peftTargetRegexCompilesAndMatchesInPython(@TempDir Path dir) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults().withTargets(List.of("query", "dense"));
            PeftAdapterFiles.write(dir, trained(m, lora, 2, 1), lora, base.config(), "x");
            String regex = new ObjectMapper().readTree(dir.resolve(PeftAdapterFiles.CONFIG).toFile())
                    .get("target_modules").asText();
            String script = "import re, sys\n"
                    + "p = re.compile(sys.argv[1])\n"
                    + "for name in sys.argv[2:]:\n"
                    + "    print(name, bool(p.fullmatch(name)))\n";
            Process python = new ProcessBuilder("/usr/bin/python3", "-c", script, regex,
                    "bert.encoder.layer.0.attention.self.query", "bert.encoder.layer.11.attention.output.dense",
                    "bert.encoder.layer.3.intermediate.dense", "bert.encoder.layer.3.output.dense",
                    "bert.encoder.layer.0.attention.self.key", "bert.pooler.dense",
                    "bert.encoder.layer.0.attention.self.queryX").redirectErrorStream(true).start();
            String out = new String(python.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, python.waitFor(), "python rejected " + regex + ":\n" + out);
            assertEquals(String.join("\n",
                    "bert.encoder.layer.0.attention.self.query True",
                    "bert.encoder.layer.11.attention.output.dense True",
                    "bert.encoder.layer.3.intermediate.dense True",
                    "bert.encoder.layer.3.output.dense True",
                    "bert.encoder.layer.0.attention.self.key False",
                    "bert.pooler.dense False",
                    "bert.encoder.layer.0.attention.self.queryX False"), out.strip(), "pattern " + regex);
        }
    }

    @Test
    void hfDirectoryExportLoadsBackAsABaseWithItsHead(@TempDir Path dir) {
        try (NDManager m = manager.newSubManager()) {
            LoraConfig lora = LoraConfig.defaults();
            SequenceClassifier source = trained(m, lora, 2, 1);
            float[] expected = logits(m, source);
            HfDirectoryExport.write(dir, source, LABELS, base.tokenizerJson());
            assertTrue(LoraModules.find(source).stream().noneMatch(l -> l.isMerged()), "export leaves the model unmerged");
            assertArrayEquals(expected, logits(m, source), 0f);

            try (BaseModel exported = BaseModels.load(m, dir.toString())) {
                assertEquals(1, exported.config().numLayers());
                assertTrue(exported.weights().containsKey("classifier.weight"));
                assertTrue(exported.weights().containsKey("pooler.dense.weight"));
                SequenceClassifier reloaded = Classifiers.create(m, exported, 2, Optional.empty(), 5);
                assertArrayEquals(expected, logits(m, reloaded), 1e-5f);
                Map<String, Parameter> named = reloaded.namedParameters();
                assertFalse(named.keySet().stream().anyMatch(n -> n.contains("lora_")));
            }
        }
    }
}
