package dev.sentiflow.model.head;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import dev.sentiflow.model.bert.BertEncoder;
import dev.sentiflow.model.bert.HfBlock;
import dev.sentiflow.model.bert.Projections;
import dev.sentiflow.model.lora.LoraModules;
import dev.sentiflow.model.lora.LoraProjections;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.LoadReport;
import dev.sentiflow.model.weights.WeightLoader;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.WeightFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds ready-to-train models on a base: constructs the blocks (with LoRA where asked),
 * initialises new weights as Hugging Face does (normal, std = initializer_range; LoRA its own),
 * loads the pretrained weights and, for LoRA, freezes everything but A/B and the head. Callers
 * never deal with initialisation order.
 */
public final class Classifiers {

    private static final Logger LOG = LoggerFactory.getLogger(Classifiers.class);

    /** Head modules that a pretrained base may lack: they start newly initialised. */
    private static final List<String> NEW_MODULES = List.of("pooler.", "classifier.", "cls.predictions.");

    private Classifiers() {}

    /** A sequence classifier with {@code numLabels} outputs. Parameters live in {@code manager}. */
    public static SequenceClassifier create(NDManager manager, BaseModel base, int numLabels,
            Optional<LoraConfig> lora, long seed) {
        SequenceClassifier model = new SequenceClassifier(encoder(base, lora), numLabels);
        prepare(manager, model, base, lora, seed);
        return model;
    }

    /** A masked-language model for domain adaptation (MLM head new unless the base has one). */
    public static MaskedLanguageModel createMaskedLm(NDManager manager, BaseModel base,
            Optional<LoraConfig> lora, long seed) {
        MaskedLanguageModel model = new MaskedLanguageModel(encoder(base, lora));
        Optional<LoraConfig> mlmLora = lora.map(l -> new LoraConfig(l.r(), l.alpha(), l.dropout(),
                l.targets(), List.of("cls")));
        prepare(manager, model, base, mlmLora, seed);
        return model;
    }

    /**
     * An MLM head on a classifier's own encoder, for domain adaptation before the task (the
     * notebook's MLM step). The encoder's parameters are shared and keep their trainability, so a
     * LoRA classifier adapts its LoRA weights and stays an adapter of the same base; the head is new
     * unless the base has one (BERT-base does, MiniLM does not).
     */
    public static MaskedLanguageModel maskedLmOn(NDManager manager, SequenceClassifier classifier, BaseModel base,
            long seed) {
        MaskedLanguageModel mlm = new MaskedLanguageModel(classifier.encoder());
        Engine.getInstance().setRandomSeed((int) seed);
        Map<String, Parameter> head = new java.util.LinkedHashMap<>();
        mlm.namedParameters().forEach((name, p) -> {
            if (name.startsWith("cls.")) {
                head.put(name, p);
            }
        });
        NormalInitializer normal = new NormalInitializer(base.config().initializerRange());
        head.values().forEach(p -> {
            if (p.getType() == Parameter.Type.WEIGHT) {
                p.setInitializer(normal);
            }
        });
        // Parameters already initialised (the shared encoder) are left as they are by DJL.
        mlm.initialize(manager, DataType.FLOAT32);
        Map<String, NDArray> pretrainedHead = new java.util.LinkedHashMap<>();
        base.weights().forEach((name, w) -> {
            if (name.startsWith("cls.")) {
                pretrainedHead.put(name, w);
            }
        });
        if (!pretrainedHead.isEmpty()) {
            WeightLoader.load(head, pretrainedHead, base.id());
        }
        LOG.info("MLM head on the classifier's encoder: {} from base {}, {} new", pretrainedHead.size(), base.id(),
                head.size() - pretrainedHead.size());
        return mlm;
    }

    private static BertEncoder encoder(BaseModel base, Optional<LoraConfig> lora) {
        Projections projections = lora.<Projections>map(LoraProjections::new).orElse(Projections.PLAIN);
        return new BertEncoder(base.config(), projections);
    }

    private static void prepare(NDManager manager, HfBlock model, BaseModel base, Optional<LoraConfig> lora,
            long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Map<String, Parameter> named = model.namedParameters();
        NormalInitializer normal = new NormalInitializer(base.config().initializerRange());
        named.forEach((name, p) -> {
            if (p.getType() == Parameter.Type.WEIGHT && !LoraConfig.isLoraParameter(name)) {
                p.setInitializer(normal);
            }
        });
        model.initialize(manager, DataType.FLOAT32);
        LoadReport report = WeightLoader.load(named, base.weights(), base.id());
        List<String> wrongMissing = report.missing().stream()
                .filter(n -> !LoraConfig.isLoraParameter(n) && NEW_MODULES.stream().noneMatch(n::startsWith))
                .toList();
        if (!wrongMissing.isEmpty()) {
            throw new WeightFileException(base.id(), "base model lacks encoder tensors " + wrongMissing);
        }
        List<String> fresh = report.missing().stream().filter(n -> !LoraConfig.isLoraParameter(n)).toList();
        LOG.info("loaded {} of {} tensors from base {}; newly initialised: {}; unused from base: {}",
                report.loaded().size(), named.size(), base.id(), fresh, report.unexpected());
        lora.ifPresent(l -> {
            LoraModules.freezeBase(named, l);
            LOG.info("LoRA r={} alpha={} on {}: {}", l.r(), l.alpha(), l.targetedProjections(),
                    LoraModules.trainableReport(named));
        });
    }
}
