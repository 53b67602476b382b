package dev.sentiflow.inference.models;

import dev.sentiflow.inference.onnx.OnnxVersion;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version ready to score: who it is (name, version, content hash, labels in logit order,
 * the tokenizer its ids must come from) and what ONNX Runtime scores it with (the base's shared graph
 * and this version's inputs, or a full fine-tune's own graph). Built off the scoring thread and
 * published by one reference write.
 *
 * <p>Owns the native memory of its own tensors. It is reference-counted so that replacing it never
 * frees tensors a batch is still reading: the publisher holds one reference ({@link #retire} drops
 * it), each batch takes one with {@link #tryAcquire} and gives it back with {@link #release}; the
 * memory is freed when the count reaches zero, after the last batch that used it.
 */
public final class ServedVersion {

    private final String name;
    private final long version;
    private final String sha256;
    private final List<String> labels;
    private final String tokenizerId;
    private final OnnxVersion onnx;
    private final AtomicInteger references = new AtomicInteger(1);

    /**
     * @param version 0 for the base with the block's own head (no checkpoint)
     * @param sha256 hex SHA-256 of the checkpoint bytes; empty for version 0
     * @param onnx what it scores with; closed after the last reference
     */
    public ServedVersion(String name, long version, String sha256, List<String> labels, String tokenizerId,
            OnnxVersion onnx) {
        this.name = name;
        this.version = version;
        this.sha256 = sha256;
        this.labels = List.copyOf(labels);
        this.tokenizerId = tokenizerId;
        this.onnx = onnx;
    }

    public String name() {
        return name;
    }

    public long version() {
        return version;
    }

    public String sha256() {
        return sha256;
    }

    public List<String> labels() {
        return labels;
    }

    public String tokenizerId() {
        return tokenizerId;
    }

    public OnnxVersion onnx() {
        return onnx;
    }

    /** Native bytes this version holds beyond the shared graph. */
    public long bytes() {
        return onnx.bytes();
    }

    /**
     * Takes a reference for one batch; false when the version was already freed (it was replaced
     * and its last batch finished between reading the reference and this call: read it again).
     */
    public boolean tryAcquire() {
        while (true) {
            int now = references.get();
            if (now <= 0) {
                return false;
            }
            if (references.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back a reference taken by {@link #tryAcquire}; the last one frees the tensors. */
    public void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            onnx.close();
        } else if (left < 0) {
            throw new IllegalStateException(this + " released more often than acquired");
        }
    }

    /** Drops the publisher's reference: called once, when a newer version replaced this one. */
    public void retire() {
        release();
    }

    /** True once the tensors were freed. */
    public boolean isFreed() {
        return references.get() <= 0;
    }

    @Override
    public String toString() {
        return name + " v" + version + (sha256.isEmpty() ? "" : " (sha256 " + sha256.substring(0, Math.min(12, sha256.length())) + "…)");
    }
}
