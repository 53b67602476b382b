package dev.sentiflow.trainer.sample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@link Reservoir} per domain, so a domain with a trickle of records keeps its own sample
 * instead of being washed out by a busy one; that is what lets the gate judge forgetting per domain.
 *
 * <p>Both dimensions are capped: each domain keeps at most {@code capacityPerDomain} items, and at
 * most {@code maxDomains} domains get their own reservoir. Items of further domains share one
 * reservoir under {@link #OVERFLOW_DOMAIN} (an unbounded or misconfigured domain field must not
 * grow memory without limit; those items still count overall).
 *
 * <p>Each domain's reservoir is seeded from the seed and the domain name, so a domain's sample
 * depends only on its own items, not on how domains interleave.
 */
public final class DomainReservoirs<T> {

    /** The shared reservoir of domains past {@code maxDomains}. */
    public static final String OVERFLOW_DOMAIN = "(other domains)";

    private final int capacityPerDomain;
    private final int maxDomains;
    private final long seed;
    private final Map<String, Reservoir<T>> reservoirs = new LinkedHashMap<>();
    private int ownDomains;

    public DomainReservoirs(int capacityPerDomain, int maxDomains, long seed) {
        if (capacityPerDomain < 1) {
            throw new IllegalArgumentException("capacity per domain must be at least 1, got " + capacityPerDomain);
        }
        if (maxDomains < 1) {
            throw new IllegalArgumentException("max domains must be at least 1, got " + maxDomains);
        }
        this.capacityPerDomain = capacityPerDomain;
        this.maxDomains = maxDomains;
        this.seed = seed;
    }

    /** Offers an item of a domain; true when it was kept. */
    public boolean offer(String domain, T item) {
        Objects.requireNonNull(domain, "domain");
        return reservoirFor(domain).offer(item);
    }

    private Reservoir<T> reservoirFor(String domain) {
        Reservoir<T> reservoir = reservoirs.get(domain);
        if (reservoir != null) {
            return reservoir;
        }
        if (ownDomains < maxDomains && !domain.equals(OVERFLOW_DOMAIN)) {
            ownDomains++;
            reservoir = new Reservoir<>(capacityPerDomain, seedOf(domain));
            reservoirs.put(domain, reservoir);
            return reservoir;
        }
        return reservoirs.computeIfAbsent(OVERFLOW_DOMAIN, k -> new Reservoir<>(capacityPerDomain, seedOf(k)));
    }

    private long seedOf(String domain) {
        // String.hashCode is specified by the JLS, so this is the same on every JVM; the odd constant spreads it.
        return seed ^ (domain.hashCode() * 0x9E3779B97F4A7C15L);
    }

    /** The domains with a reservoir, in first-seen order (including {@link #OVERFLOW_DOMAIN} once used). */
    public List<String> domains() {
        return List.copyOf(reservoirs.keySet());
    }

    /** The sample of one domain (empty for an unknown one). */
    public List<T> items(String domain) {
        Reservoir<T> reservoir = reservoirs.get(domain);
        return reservoir == null ? List.of() : reservoir.items();
    }

    /** Every domain's sample, domains in first-seen order. */
    public List<T> allItems() {
        List<T> all = new ArrayList<>(size());
        reservoirs.values().forEach(r -> all.addAll(r.items()));
        return Collections.unmodifiableList(all);
    }

    /** Items held, all domains. */
    public int size() {
        return reservoirs.values().stream().mapToInt(Reservoir::size).sum();
    }

    /** Items offered for this domain's reservoir (0 for an unknown one). */
    public long seen(String domain) {
        Reservoir<T> reservoir = reservoirs.get(domain);
        return reservoir == null ? 0 : reservoir.seen();
    }

    public int capacityPerDomain() {
        return capacityPerDomain;
    }

    public int maxDomains() {
        return maxDomains;
    }
}
