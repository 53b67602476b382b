package dev.sentiflow.schemas.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Utils;

/**
 * Record keys and partitions for the {@code models} topic, which is compacted
 * ({@code cleanup.policy=compact}) so that it holds the current checkpoint of every model forever
 * without growing with every round.
 *
 * <p><b>Key = {@code <name>#<chunkIndex>}</b> (UTF-8). Compaction keeps the latest record per key,
 * so per model it keeps the latest chunk at every index: after version v is published, indexes
 * 0..n-1 hold v's chunks. A key per version ({@code name#version#index}) would keep every version
 * forever; a key per model ({@code name}) would keep only one chunk of it.
 *
 * <p><b>Shrinking checkpoints.</b> When version v (n chunks) replaces a version with m &gt; n chunks,
 * the keys n..m-1 still hold chunks of the older version. They are harmless to readers (the
 * assembler ignores them: another version, already superseded), but they would stay forever, so the
 * publisher deletes them: in the same transaction as v's chunks it writes tombstones (null values)
 * for {@link #tombstoneKeys}. The assembler ignores tombstones. By induction the live keys of a model
 * are always exactly 0..n-1 of its newest version, so {@code previousChunkCount} is the chunk count
 * of the newest version on the topic ({@link VersionSequence#chunkCount}).
 *
 * <p><b>Why a reader never sees a partial version.</b> All chunks and tombstones of a version are
 * written in one Kafka transaction. Readers use {@code isolation.level=read_committed}, so an aborted
 * transaction (a trainer that crashed mid-publish) is never visible, and a committed one is visible
 * whole. Compaction removes only records that a later record with the same key replaced; a
 * version's chunks are replaced together by the next version's transaction, so compaction can make
 * an old version incomplete but never the newest one.
 *
 * <p><b>Partitions.</b> Compaction is per partition, and a version must be read in publishing order
 * by one consumer, so every chunk of a model goes to {@link #partition} of its name, not to the
 * partition the default partitioner would pick for each chunk key.
 */
public final class CheckpointKeys {

    public static final char SEPARATOR = '#';

    private CheckpointKeys() {
    }

    /** The key of one chunk. */
    public static String key(String name, int chunkIndex) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a model name must not be empty");
        }
        if (chunkIndex < 0) {
            throw new IllegalArgumentException("chunk index must be >= 0, got " + chunkIndex);
        }
        return name + SEPARATOR + chunkIndex;
    }

    public static byte[] keyBytes(String name, int chunkIndex) {
        return key(name, chunkIndex).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Keys to delete with tombstones when a version of {@code chunkCount} chunks replaces one of
     * {@code previousChunkCount}: indexes chunkCount..previousChunkCount-1, none when it did not shrink.
     */
    public static List<String> tombstoneKeys(String name, int chunkCount, int previousChunkCount) {
        if (chunkCount < 1) {
            throw new IllegalArgumentException("a checkpoint has at least one chunk, got " + chunkCount);
        }
        if (previousChunkCount < 0) {
            throw new IllegalArgumentException("previous chunk count must be >= 0, got " + previousChunkCount);
        }
        List<String> keys = new ArrayList<>();
        for (int index = chunkCount; index < previousChunkCount; index++) {
            keys.add(key(name, index));
        }
        return keys;
    }

    /** The name and index a chunk key stands for; the name may itself contain the separator. */
    public static ChunkKey parse(String key) {
        int at = key == null ? -1 : key.lastIndexOf(SEPARATOR);
        if (at < 1 || at == key.length() - 1) {
            throw new IllegalArgumentException("'" + key + "' is not a checkpoint chunk key (name#index)");
        }
        int index;
        try {
            index = Integer.parseInt(key.substring(at + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' does not end in a chunk index", e);
        }
        if (index < 0 || key.charAt(at + 1) == '+' || key.charAt(at + 1) == '-') {
            throw new IllegalArgumentException("'" + key + "' does not end in a chunk index");
        }
        return new ChunkKey(key.substring(0, at), index);
    }

    /** The partition for every chunk of a model: Kafka's murmur2 of the UTF-8 name, as its partitioner hashes keys. */
    public static int partition(String name, int partitionCount) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partition count must be >= 1, got " + partitionCount);
        }
        return Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }

    /** A parsed chunk key. */
    public record ChunkKey(String name, int chunkIndex) {}
}
