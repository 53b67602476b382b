package dev.sentiflow.trainer.sample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A uniform sample of at most {@code capacity} items from a stream of unknown length (Vitter's
 * Algorithm R): the first {@code capacity} items are kept, then the n-th item (1-based) replaces a
 * random kept one with probability capacity/n. Memory stays at {@code capacity} whatever the stream.
 *
 * <p>The random numbers come from a {@link SplittableRandom} seeded here, one draw per item past the
 * capacity, so the same items in the same order with the same seed give the same sample. The
 * trainer relies on that: after a restart it re-reads the topic and must rebuild exactly the replay
 * and evaluation sets it had.
 *
 * <p>Not thread-safe.
 */
public final class Reservoir<T> {

    private final int capacity;
    private final SplittableRandom random;
    private final List<T> items;
    private long seen;

    public Reservoir(int capacity, long seed) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a reservoir needs a capacity of at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.random = new SplittableRandom(seed);
        this.items = new ArrayList<>(Math.min(capacity, 1024));
    }

    /** Offers the next item of the stream; true when it was kept (possibly replacing an earlier one). */
    public boolean offer(T item) {
        seen++;
        if (items.size() < capacity) {
            items.add(item);
            return true;
        }
        long slot = random.nextLong(seen);
        if (slot < capacity) {
            items.set((int) slot, item);
            return true;
        }
        return false;
    }

    /** The current sample, a read-only view in slot order (not arrival order). */
    public List<T> items() {
        return Collections.unmodifiableList(items);
    }

    /** Items held now: min(seen, capacity). */
    public int size() {
        return items.size();
    }

    /** Items offered so far. */
    public long seen() {
        return seen;
    }

    public int capacity() {
        return capacity;
    }
}
