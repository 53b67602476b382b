package dev.sentiflow.inference.models;

import dev.sentiflow.avro.Rollout;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * What is served under each model name: the champion, whose predictions are published, and at most
 * one shadow scored beside it on labeled records: a CHALLENGER waiting for promotion, or the
 * PREDECESSOR of a just promoted version, kept for a rollback. Scoring threads read it, the models
 * follower and the rollout decisions write it. Each name's state is one immutable value behind one
 * reference, so a change (a swap, a promotion: champion and shadow at once) is one reference write: a
 * batch that took a state before finishes with it (its {@link Lease}s keep the arrays alive) and the
 * next batch gets the new one.
 */
public final class ModelRegistry implements AutoCloseable {

    /** What a shadow is there for. */
    public enum ShadowRole { CHALLENGER, PREDECESSOR }

    /** What {@link #offer} did: took the candidate or not, the champion served before, and in which role. */
    public record Swap(boolean accepted, OptionalLong previous, boolean asChallenger) {
        public Swap(boolean accepted, OptionalLong previous) {
            this(accepted, previous, false);
        }
    }

    /** One batch's hold on a name: its champion and, if one is there, its shadow. */
    public record Held(Lease champion, Optional<Lease> shadow, ShadowRole role) implements AutoCloseable {
        @Override
        public void close() {
            champion.close();
            shadow.ifPresent(Lease::close);
        }
    }

    private record State(ServedVersion champion, ServedVersion shadow, ShadowRole role) {
        static final State EMPTY = new State(null, null, null);

        State withoutShadow() {
            return new State(champion, null, null);
        }
    }

    private final ConcurrentMap<String, AtomicReference<State>> served = new ConcurrentHashMap<>();

    /** {@link #offer(ServedVersion, Rollout)} as a champion. */
    public Swap offer(ServedVersion candidate) {
        return offer(candidate, Rollout.CHAMPION);
    }

    /**
     * Takes a new version of a name. A CHAMPION newer than the served one replaces it at once (a
     * challenger older than it is dropped: it would be compared with a newer model than it was meant
     * to beat). A CHALLENGER newer than the champion and than any waiting challenger becomes the
     * shadow; with no champion yet there is nothing to compare it with, so it serves. Whatever it
     * displaces is retired (freed after its last batch); a candidate not taken is retired instead.
     */
    public synchronized Swap offer(ServedVersion candidate, Rollout rollout) {
        AtomicReference<State> slot = served.computeIfAbsent(candidate.name(), n -> new AtomicReference<>(State.EMPTY));
        State now = slot.get();
        OptionalLong previous = now.champion() == null ? OptionalLong.empty() : OptionalLong.of(now.champion().version());
        boolean newerThanChampion = now.champion() == null || candidate.version() > now.champion().version();
        if (rollout == Rollout.CHALLENGER && now.champion() != null) {
            boolean newerThanShadow = now.role() != ShadowRole.CHALLENGER || candidate.version() > now.shadow().version();
            if (!newerThanChampion || !newerThanShadow) {
                candidate.retire();
                return new Swap(false, previous, true);
            }
            slot.set(new State(now.champion(), candidate, ShadowRole.CHALLENGER));
            retire(now.shadow());
            return new Swap(true, previous, true);
        }
        if (!newerThanChampion) {
            candidate.retire();
            return new Swap(false, previous);
        }
        State next = new State(candidate, null, null);
        boolean keepShadow = now.role() == ShadowRole.CHALLENGER && now.shadow().version() > candidate.version();
        if (keepShadow) {
            next = new State(candidate, now.shadow(), ShadowRole.CHALLENGER);
        }
        // The new state first: a batch that finds a retired version reads the slot again until it changes,
        // and retiring may close a native session (a full checkpoint's) for a while.
        slot.set(next);
        if (!keepShadow) {
            retire(now.shadow());
        }
        retire(now.champion());
        notifyAll(); // wake awaitServed
        return new Swap(true, previous);
    }

    /** The challenger {@code version} of {@code name} becomes champion; the old champion is kept as its predecessor. */
    public boolean promote(String name, long version) {
        return change(name, s -> s.role() == ShadowRole.CHALLENGER && s.shadow().version() == version
                ? new State(s.shadow(), s.champion(), ShadowRole.PREDECESSOR) : null, null);
    }

    /** Drops the challenger {@code version} of {@code name}. */
    public boolean reject(String name, long version) {
        return change(name, s -> s.role() == ShadowRole.CHALLENGER && s.shadow().version() == version
                ? s.withoutShadow() : null, State::shadow);
    }

    /** The promoted {@code version} of {@code name} gives way to its predecessor again. */
    public boolean rollBack(String name, long version) {
        return change(name, s -> s.role() == ShadowRole.PREDECESSOR && s.champion().version() == version
                ? new State(s.shadow(), null, null) : null, State::champion);
    }

    /** The promoted {@code version} of {@code name} stays; its predecessor is freed. */
    public boolean confirm(String name, long version) {
        return change(name, s -> s.role() == ShadowRole.PREDECESSOR && s.champion().version() == version
                ? s.withoutShadow() : null, State::shadow);
    }

    /** Applies {@code step} when it returns a new state (null: does not apply); retires what {@code dropped} names. */
    private synchronized boolean change(String name, UnaryOperator<State> step,
            java.util.function.Function<State, ServedVersion> dropped) {
        AtomicReference<State> slot = served.get(name);
        if (slot == null) {
            return false;
        }
        State now = slot.get();
        State next = step.apply(now);
        if (next == null) {
            return false;
        }
        slot.set(next);
        if (dropped != null) {
            retire(dropped.apply(now));
        }
        return true;
    }

    /** The champion now served under {@code name}, held for one batch; empty when none is. */
    public Optional<Lease> acquire(String name) {
        return hold(name).map(held -> {
            held.shadow().ifPresent(Lease::close);
            return held.champion();
        });
    }

    /** The champion and shadow of {@code name} from one state, held for one batch; empty when no champion is served. */
    public Optional<Held> hold(String name) {
        AtomicReference<State> slot = served.get(name);
        if (slot == null) {
            return Optional.empty();
        }
        while (true) {
            State state = slot.get();
            if (state.champion() == null) {
                return Optional.empty();
            }
            // Fails only if a version was replaced and freed since the read: read the state again.
            if (!state.champion().tryAcquire()) {
                continue;
            }
            if (state.shadow() == null) {
                return Optional.of(new Held(new Lease(state.champion()), Optional.empty(), null));
            }
            if (state.shadow().tryAcquire()) {
                return Optional.of(new Held(new Lease(state.champion()), Optional.of(new Lease(state.shadow())),
                        state.role()));
            }
            state.champion().release();
        }
    }

    /** The champion's version number under {@code name}, if any. */
    public OptionalLong version(String name) {
        AtomicReference<State> slot = served.get(name);
        ServedVersion version = slot == null ? null : slot.get().champion();
        return version == null ? OptionalLong.empty() : OptionalLong.of(version.version());
    }

    /** The shadow's version number under {@code name} and its role, if one is there. */
    public Optional<Map.Entry<ShadowRole, Long>> shadow(String name) {
        AtomicReference<State> slot = served.get(name);
        State state = slot == null ? State.EMPTY : slot.get();
        return state.shadow() == null ? Optional.empty() : Optional.of(Map.entry(state.role(), state.shadow().version()));
    }

    /** Every name with its champion's version, for start-up and shutdown logs. */
    public Map<String, Long> versions() {
        Map<String, Long> out = new TreeMap<>();
        served.forEach((name, slot) -> {
            ServedVersion v = slot.get().champion();
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
    public synchronized void close() {
        served.values().forEach(slot -> {
            State s = slot.getAndSet(State.EMPTY);
            retire(s.champion());
            retire(s.shadow());
        });
    }

    private static void retire(ServedVersion version) {
        if (version != null) {
            version.retire();
        }
    }
}
