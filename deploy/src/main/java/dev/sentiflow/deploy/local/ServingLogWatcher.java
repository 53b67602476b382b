package dev.sentiflow.deploy.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows the inference child's log for its hot swaps ({@code model NAME: now serving vN (was vM; ...})
 * : the moment a version serves, which predictions show only once traffic arrives after the swap.
 */
final class ServingLogWatcher {

    private static final Pattern SWAP = Pattern.compile("model (\\S+): now serving v(\\d+) \\(was (v\\d+|none)");

    /** A swap in inference: {@code model} serves {@code version} instead of {@code previous} ("none" or "vN"). */
    record Swap(String model, long version, String previous) {
        String sentence() {
            return "inference now serves " + model + " v" + version + " (was " + previous + ")";
        }
    }

    private final AppendedLines lines;
    private final Map<String, Long> newest = new HashMap<>();
    private final List<Swap> unseen = new ArrayList<>();

    ServingLogWatcher(Path log) {
        this.lines = new AppendedLines(log);
    }

    /** The newest version inference has served of any model so far, if it has loaded one. */
    synchronized OptionalLong newestServed() {
        read();
        return newest.values().stream().mapToLong(Long::longValue).max();
    }

    /** The swaps logged since the last call, in log order. */
    synchronized List<Swap> swaps() {
        read();
        List<Swap> out = List.copyOf(unseen);
        unseen.clear();
        return out;
    }

    private void read() {
        for (String line : lines.next()) {
            Matcher m = SWAP.matcher(line);
            if (m.find()) {
                Swap swap = new Swap(m.group(1), Long.parseLong(m.group(2)), m.group(3));
                newest.merge(swap.model(), swap.version(), Math::max);
                unseen.add(swap);
            }
        }
    }
}
