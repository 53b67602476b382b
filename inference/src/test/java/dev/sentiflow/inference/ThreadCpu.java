package dev.sentiflow.inference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time per thread of a Linux process, read from {@code /proc/PID/task/*} and summed per thread
 * name with its numbers dropped (a pool's threads count together), so a benchmark can say which
 * threads spent a pass's CPU: the stream thread, the producer's sender, the broker's handlers, GC, JIT.
 * Empty where there is no {@code /proc}.
 */
final class ThreadCpu {

    private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux x86-64

    private final Map<String, Double> seconds;

    private ThreadCpu(Map<String, Double> seconds) {
        this.seconds = seconds;
    }

    static ThreadCpu of(long pid) {
        Map<String, Double> byName = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim()
                            .replaceAll("[0-9]+", "#");
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.UTF_8);
                    // Fields after the ")" closing the name: state is field 3, utime 14, stime 15.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
                    byName.merge(name, cpu, Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            return new ThreadCpu(Map.of());
        }
        return new ThreadCpu(byName);
    }

    /** CPU ms per record over {@code records} that the JIT compiler threads used since {@code before}. */
    double compilerMsPerRecord(ThreadCpu before, long records) {
        double s = 0;
        for (Map.Entry<String, Double> e : seconds.entrySet()) {
            if (e.getKey().contains("CompilerThre")) {
                s += e.getValue() - before.seconds.getOrDefault(e.getKey(), 0.0);
            }
        }
        return s * 1000 / records;
    }

    /**
     * The threads that used the most CPU since {@code before}, as ms per record over {@code records},
     * at most {@code top} of them. A thread that ended meanwhile is not counted.
     */
    String since(ThreadCpu before, long records, int top) {
        Map<String, Double> delta = new HashMap<>();
        seconds.forEach((name, s) -> delta.put(name, s - before.seconds.getOrDefault(name, 0.0)));
        List<Map.Entry<String, Double>> sorted = delta.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList();
        return sorted.stream().limit(top).map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(),
                e.getValue() * 1000 / records)).collect(Collectors.joining(", "));
    }
}
