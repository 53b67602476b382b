package dev.sentiflow.deploy.report;

import dev.sentiflow.avro.ModelCheckpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The checkpoints on {@code models}: one {@link ModelVersion} per (model, version), from its chunks. */
public final class ModelsFold {

    private record Key(String model, long version) {
    }

    private static final class Chunks {
        ModelCheckpoint first;
        int count;
        long bytes;
    }

    private final Map<Key, Chunks> versions = new TreeMap<>(Comparator.comparing(Key::model)
            .thenComparingLong(Key::version));

    public void add(ModelCheckpoint c) {
        Chunks chunks = versions.computeIfAbsent(new Key(c.getName(), c.getVersion()), k -> new Chunks());
        if (chunks.first == null || c.getChunkIndex() == 0) {
            chunks.first = c;
        }
        chunks.count++;
        chunks.bytes += c.getPayload().remaining();
    }

    public List<ModelVersion> versions() {
        List<ModelVersion> out = new ArrayList<>();
        versions.forEach((k, v) -> out.add(new ModelVersion(k.model(), k.version(), v.first.getKind().name(),
                v.first.getCreatedAt(), v.first.getParentVersion(), v.count, v.bytes, v.first.getLabels(),
                v.first.getMetrics())));
        return out;
    }

    /** The labels of the newest checkpoint, in logit order (the confusion matrix's order). */
    public Optional<List<String>> newestLabels() {
        return versions.values().stream().map(c -> c.first)
                .max(Comparator.comparing(ModelCheckpoint::getCreatedAt))
                .map(ModelCheckpoint::getLabels);
    }
}
