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

    /** Per thread id: its name (numbers dropped) and the CPU seconds it has used. */
    private final Map<String, Task> threads;

    private record Task(String name, double seconds) {}

    private ThreadCpu(Map<String, Task> threads) {
        this.threads = threads;
    }

    static ThreadCpu of(long pid) {
        Map<String, Task> byId = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim()
                            .replaceAll("[0-9]+", "#");
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.UTF_8);
                    // Fields after the ")" closing the name: state is field 3, utime 14, stime 15.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
                    byId.put(task.getFileName().toString(), new Task(name, cpu));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            return new ThreadCpu(Map.of());
        }
        return new ThreadCpu(byId);
    }

    /**
     * CPU seconds each thread name used since {@code before}: per thread id first (a thread born meanwhile
     * counts from zero; one that ended meanwhile is not counted, rather than taking its whole life off its
     * name), then summed per name.
     */
    private Map<String, Double> deltaByName(ThreadCpu before) {
        Map<String, Double> delta = new HashMap<>();
        threads.forEach((id, t) -> {
            Task was = before.threads.get(id);
            delta.merge(t.name(), t.seconds() - (was == null ? 0 : was.seconds()), Double::sum);
        });
        return delta;
    }

    /** CPU ms per record over {@code records} that the JIT compiler threads used since {@code before}. */
    double compilerMsPerRecord(ThreadCpu before, long records) {
        return deltaByName(before).entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToDouble(Map.Entry::getValue).sum() * 1000 / records;
    }

    /**
     * The threads that used the most CPU since {@code before}, as ms per record over {@code records},
     * at most {@code top} of them.
     */
    String since(ThreadCpu before, long records, int top) {
        List<Map.Entry<String, Double>> sorted = deltaByName(before).entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList();
        return sorted.stream().limit(top).map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(),
                e.getValue() * 1000 / records)).collect(Collectors.joining(", "));
    }
}
