package dev.sentiflow.trainer.sample;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * A uniform sample of at most {@code capacity} items that depends only on which ids were offered,
 * never on their order: each id gets a salted SHA-256 rank and the sample keeps the lowest ranks
 * (bottom-k sampling). A trainer restarted after a crash re-reads its input partitions, whose
 * interleaving differs from run to run, and must still rebuild exactly the replay and evaluation
 * sets it had; an id offered again (a re-read after a rebalance) replaces itself instead of
 * counting twice.
 */
public final class HashSample<T> {

    private final int capacity;
    private final String salt;
    private final TreeMap<String, T> kept = new TreeMap<>();
    private long offered;

    /** @param salt distinguishes samples over the same ids (replay vs evaluation vs unlabeled) */
    public HashSample(int capacity, String salt) {
        if (capacity < 1) {
            throw new IllegalArgumentException("sample capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.salt = salt;
    }

    /** Offers an item under its id; returns whether it is in the sample now. */
    public boolean offer(String id, T item) {
        offered++;
        String rank = rank(id);
        if (kept.containsKey(rank) || kept.size() < capacity) {
            kept.put(rank, item);
            return true;
        }
        if (rank.compareTo(kept.lastKey()) < 0) {
            kept.pollLastEntry();
            kept.put(rank, item);
            return true;
        }
        return false;
    }

    /** The sample in rank order (the same order on every run). */
    public List<T> items() {
        return new ArrayList<>(kept.values());
    }

    public int size() {
        return kept.size();
    }

    public int capacity() {
        return capacity;
    }

    /** How many offers were made (duplicates included). */
    public long offered() {
        return offered;
    }

    private String rank(String id) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            return HexFormat.of().formatHex(md.digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
