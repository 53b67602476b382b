package dev.sentiflow.inference;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.inference.models.BlockVersions;
import dev.sentiflow.inference.models.ServedVersions;
import dev.sentiflow.inference.onnx.SessionThreads;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.schemas.checkpoint.CheckpointChunker;
import dev.sentiflow.schemas.checkpoint.CheckpointHeader;
import dev.sentiflow.schemas.checkpoint.CheckpointSigner;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Real MiniLM weights (cut to its first layers for speed, or whole as the app loads it), the real
 * bundled tokenizer, a serving block as the app builds it, and trained-looking adapters: LoRA A/B
 * and head moved away from their start, encoded by the real codec and chunked by the real chunker.
 */
final class TestModels implements AutoCloseable {

    static final List<String> LABELS = List.of("negative", "positive");
    static final LoraConfig LORA = LoraConfig.defaults();
    /** The header's PEFT-style LoRA JSON, as a trainer writes it (its numbers match {@link #LORA}). */
    static final String LORA_JSON = "{\"r\":8,\"lora_alpha\":32.0,\"lora_dropout\":0.1,"
            + "\"target_modules\":[\"query\",\"value\"],\"modules_to_save\":[\"pooler\",\"classifier\"]}";

    final NDManager manager;
    final BaseModel base;
    final TextTokenizer tokenizer;
    final ModelIdentity identity;
    final SequenceClassifier block;
    final ServedVersions versions;

    private TestModels(NDManager manager, BaseModel base) {
        this.manager = manager;
        this.base = base;
        this.tokenizer = TextTokenizer.bundled(128);
        this.identity = new ModelIdentity(base.baseHash(), Optional.of(LORA), LABELS, tokenizer.id(), 128);
        this.block = Classifiers.create(manager, base, LABELS.size(), Optional.of(LORA), 0L);
        this.versions = BlockVersions.of(block, identity, BertOnnxGraph.Precision.FP32, SessionThreads.DEFAULT);
    }

    /** @param layers 0 = the whole MiniLM, as {@code base.model=minilm} loads it */
    static TestModels load(int layers) {
        NDManager manager = NDManager.newBaseManager();
        BaseModel full = BaseModels.load(manager, BaseWeights.MINILM);
        if (layers == 0) {
            return new TestModels(manager, full);
        }
        try (full) {
            return new TestModels(manager, full.firstLayers(layers));
        }
    }

    /** Checkpoint bytes of an adapter whose trained tensors are seeded noise. */
    byte[] adapter(long seed) {
        return adapter(seed, metadata(LABELS, base.baseHash()));
    }

    byte[] adapter(long seed, CheckpointMetadata metadata) {
        try (NDManager m = manager.newSubManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
            SequenceClassifier trained = Classifiers.create(m, base, metadata.labels().size(), Optional.of(LORA), seed);
            trained.namedParameters().forEach((name, p) -> {
                if (p.requiresGradient()) {
                    p.getArray().addi(m.randomNormal(0f, 0.3f, p.getShape(), p.getArray().getDataType()));
                }
            });
            return CheckpointCodec.encode(trained, metadata);
        }
    }

    CheckpointMetadata metadata(List<String> labels, String baseHash) {
        return new CheckpointMetadata(dev.sentiflow.modeldata.checkpoint.CheckpointKind.ADAPTER, baseHash,
                Optional.of(LORA), labels, tokenizer.id(), 128);
    }

    CheckpointHeader.Builder header(String name, long version) {
        return CheckpointHeader.builder(name, version, CheckpointKind.ADAPTER)
                .baseModelHash(base.baseHash())
                .tokenizerId(tokenizer.id())
                .labels(LABELS)
                .loraConfig(LORA_JSON)
                .createdAt(Instant.now());
    }

    /** The records a trainer publishes for this checkpoint, in small chunks so it spans several. */
    List<ModelCheckpoint> chunks(String name, long version, byte[] payload, Optional<CheckpointSigner> signer) {
        return chunks(header(name, version).build(), payload, signer);
    }

    List<ModelCheckpoint> chunks(CheckpointHeader header, byte[] payload, Optional<CheckpointSigner> signer) {
        return new CheckpointChunker(64 * 1024, signer).chunk(header, payload);
    }

    @Override
    public void close() {
        versions.close();
        tokenizer.close();
        base.close();
        manager.close();
    }
}
