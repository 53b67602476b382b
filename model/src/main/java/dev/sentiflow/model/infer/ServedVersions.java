package dev.sentiflow.model.infer;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.model.checkpoint.Checkpoint;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.checkpoint.CheckpointException;
import dev.sentiflow.model.checkpoint.ModelIdentity;
import dev.sentiflow.model.head.SequenceClassifier;

/**
 * Builds {@link ServedVersion}s for one shared serving block. Runs on whichever thread loads models,
 * never the scoring thread: decoding, checking and copying a checkpoint take milliseconds to
 * seconds, while the switch itself is one reference write.
 */
public final class ServedVersions {

    private final SequenceClassifier block;
    private final NDManager blockManager;
    private final ModelIdentity identity;

    /**
     * @param block the serving block (built with the serving LoRA config on the base); only read
     * @param blockManager the block's manager; each version gets a sub-manager of it
     * @param identity what every checkpoint must have been trained as
     */
    public ServedVersions(SequenceClassifier block, NDManager blockManager, ModelIdentity identity) {
        this.block = block;
        this.blockManager = blockManager;
        this.identity = identity;
    }

    public SequenceClassifier block() {
        return block;
    }

    public ModelIdentity identity() {
        return identity;
    }

    /**
     * Decodes, verifies ({@link CheckpointCodec#verify}: base, tokenizer, labels, max length, LoRA
     * shape, names, shapes) and stages a checkpoint. Throws {@link CheckpointException} naming the
     * problem; on any failure nothing stays allocated.
     */
    public ServedVersion fromCheckpoint(String name, long version, String sha256, byte[] bytes, String source) {
        NDManager versionManager = blockManager.newSubManager();
        try (NDManager decoded = blockManager.newSubManager()) {
            Checkpoint checkpoint = AdapterWeights.withZeroLora(CheckpointCodec.decode(decoded, bytes, source), block,
                    decoded);
            CheckpointCodec.verify(checkpoint, block, identity, source);
            AdapterWeights weights = AdapterWeights.stage(block, checkpoint, versionManager);
            return new ServedVersion(name, version, sha256, checkpoint.metadata().labels(),
                    checkpoint.metadata().tokenizerId(), new VersionedParameterStore(versionManager, weights),
                    versionManager);
        } catch (RuntimeException e) {
            versionManager.close();
            throw e;
        }
    }

    /** Version 0: the base with the block's own (untrained) head, for serving before any checkpoint exists. */
    public ServedVersion baseHead(String name) {
        return new ServedVersion(name, 0, "", identity.labels(), identity.tokenizerId(),
                new VersionedParameterStore(blockManager, AdapterWeights.none()), null);
    }
}
