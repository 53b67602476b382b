package dev.sentiflow.deploy.local;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows the inference child's log for its hot swaps ({@code model NAME: now serving vN}): the moment
 * a version serves, which predictions show only once traffic arrives after the swap.
 */
final class ServingLogWatcher {

    private static final Pattern SWAP = Pattern.compile("model (\\S+): now serving v(\\d+) ");

    private final AppendedLines lines;
    private final Map<String, Long> newest = new HashMap<>();

    ServingLogWatcher(Path log) {
        this.lines = new AppendedLines(log);
    }

    /** The newest version inference has served of any model so far, if it has loaded one. */
    synchronized OptionalLong newestServed() {
        for (String line : lines.next()) {
            Matcher m = SWAP.matcher(line);
            if (m.find()) {
                newest.merge(m.group(1), Long.parseLong(m.group(2)), Math::max);
            }
        }
        return newest.values().stream().mapToLong(Long::longValue).max();
    }
}
