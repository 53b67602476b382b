package dev.sentiflow.inference.models;

import dev.sentiflow.model.infer.ServedVersion;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The version served for each model name. Scoring threads read it, the models follower writes it;
 * a swap is one reference write per name, so a batch that took a version before the swap finishes
 * with it (its {@link Lease} keeps the arrays alive) and the next batch gets the new one.
 */
public final class ModelRegistry implements AutoCloseable {

    /** What {@link #offer} did: swapped the candidate in or not, and the version served before. */
    public record Swap(boolean accepted, OptionalLong previous) {}

    private final ConcurrentMap<String, AtomicReference<ServedVersion>> served = new ConcurrentHashMap<>();

    /**
     * Serves {@code candidate} if it is newer than the version served under its name, and retires the
     * one it replaces (freed after that one's last batch). An older or equal candidate is retired
     * instead and nothing changes.
     *
     * @return whether it was swapped in, and the version number it replaced
     */
    public Swap offer(ServedVersion candidate) {
        AtomicReference<ServedVersion> slot = served.computeIfAbsent(candidate.name(), n -> new AtomicReference<>());
        while (true) {
            ServedVersion current = slot.get();
            if (current != null && current.version() >= candidate.version()) {
                candidate.retire();
                return new Swap(false, OptionalLong.of(current.version()));
            }
            if (slot.compareAndSet(current, candidate)) {
                if (current != null) {
                    current.retire();
                }
                synchronized (this) {
                    notifyAll(); // wake awaitServed
                }
                return new Swap(true, current == null ? OptionalLong.empty() : OptionalLong.of(current.version()));
            }
        }
    }

    /** The version now served under {@code name}, held for one batch; empty when none is. */
    public Optional<Lease> acquire(String name) {
        AtomicReference<ServedVersion> slot = served.get(name);
        if (slot == null) {
            return Optional.empty();
        }
        while (true) {
            ServedVersion version = slot.get();
            if (version == null) {
                return Optional.empty();
            }
            // Fails only if it was replaced and freed since the read: read the slot again.
            if (version.tryAcquire()) {
                return Optional.of(new Lease(version));
            }
        }
    }

    /** The version number served under {@code name}, if any. */
    public OptionalLong version(String name) {
        AtomicReference<ServedVersion> slot = served.get(name);
        ServedVersion version = slot == null ? null : slot.get();
        return version == null ? OptionalLong.empty() : OptionalLong.of(version.version());
    }

    /** Every name with the version served, for start-up and shutdown logs. */
    public Map<String, Long> versions() {
        Map<String, Long> out = new TreeMap<>();
        served.forEach((name, slot) -> {
            ServedVersion v = slot.get();
            if (v != null) {
                out.put(name, v.version());
            }
        });
        return out;
    }

    /** Waits until a version of {@code name} is served; false at the deadline. */
    public boolean awaitServed(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (version(name).isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, Math.min(200, left / 1_000_000)));
            }
        }
        return true;
    }

    /** Retires every served version (each is freed after its last batch). */
    @Override
    public void close() {
        served.values().forEach(slot -> {
            ServedVersion v = slot.getAndSet(null);
            if (v != null) {
                v.retire();
            }
        });
    }
}
