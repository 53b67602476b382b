package dev.sentiflow.deploy.local;

import dev.sentiflow.avro.Review;
import dev.sentiflow.deploy.faults.KeyCounts;
import dev.sentiflow.deploy.topics.PipelineTopics;
import dev.sentiflow.deploy.topics.TopicSetup;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code ./bench soak}: the local stack (broker, registry, ingest, trainer, inference as child
 * processes, as {@code ./pipeline local} runs them) fed a steady stream of reviews for a long time,
 * rounds training meanwhile. The bundled UCI sentences are repeated with fresh ids ({@code #r2},
 * {@code #r3}, ...) until {@code --reviews} are sent, half of them labeled. Every {@code --sample}
 * seconds each service's RSS ({@code /proc/PID/status}) and its live heap (after a full GC asked
 * through {@code jcmd}, so garbage waiting for a collection does not look like growth) are sampled;
 * at the end the least-squares slope of each after the warm-up is printed in MiB per hour, with the
 * accounting of every review id across predictions and dead letters ({@code read_committed}).
 *
 * <p>{@code --reviews 200000 --rate 30} is the full soak (about two hours on 2 cores);
 * {@code --reviews 12000 --rate 20 --warmup 240} a ten-minute look. The warm-up covers the services'
 * start (the model loads, the first round) so that it is not read as growth.
 */
public final class SoakBenchmark {

    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private record Sample(double seconds, long sent, Map<String, Double> heapMib, Map<String, Double> rssMib) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int total = Integer.parseInt(options.getOrDefault("reviews", "200000"));
        double rate = Double.parseDouble(options.getOrDefault("rate", "30"));
        int every = Integer.parseInt(options.getOrDefault("sample", "10"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "300"));
        Path workdir = Path.of(options.getOrDefault("workdir", "runs/soak"));
        System.out.printf(Locale.ROOT, "soak: %d reviews at %.0f/s (about %.0f min), samples every %d s, warm-up %d s, "
                + "work folder %s; %d cores%n", total, rate, total / rate / 60, every, warmup, workdir,
                Runtime.getRuntime().availableProcessors());
        System.exit(run(total, rate, every, warmup, workdir));
    }

    private static int run(int total, double rate, int every, int warmup, Path workdir) throws Exception {
        WorkFolder folder = WorkFolder.open(workdir, true);
        List<Review> reviews = repeated(total);
        try (ChildProcesses children = new ChildProcesses(folder.logs(), Duration.ofSeconds(20), death -> { })) {
            LocalRegistry registry = LocalRegistry.start(children, folder.root());
            LocalKafka kafka = LocalKafka.start(children, folder.root());
            Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                new TopicSetup(admin).apply(PipelineTopics.plan(PipelineTopics.DEFAULT_DATA_PARTITIONS,
                        Optional.of((short) 1)));
            }
            var endpoints = new LocalServices.Endpoints(kafka.bootstrapServers(), registry.url(), folder.root(),
                    folder.signingKey());
            Map<String, Long> pids = new LinkedHashMap<>();
            for (LocalServices.Service service : LocalServices.all(endpoints)) {
                var child = children.start(service.main().command(), service.command(), null, service.env());
                pids.put(service.main().command(), child.pid());
            }
            ReviewStreamer streamer = new ReviewStreamer(client, new SchemaRegistryClient(registry.url()), reviews,
                    rate, Optional.empty(), 0, System.out::println);
            Thread sending = new Thread(streamer, "soak-streamer");
            sending.setDaemon(true);
            long begin = System.nanoTime();
            sending.start();
            List<Sample> samples = new ArrayList<>();
            while (!streamer.done()) {
                Optional<ChildDeath> death = children.awaitDeath(Duration.ofSeconds(every));
                if (death.isPresent()) {
                    System.out.println("soak: " + death.get().describe());
                    return 1;
                }
                Sample s = sample(pids, (System.nanoTime() - begin) / 1e9, streamer.acked());
                samples.add(s);
                System.out.printf(Locale.ROOT, "soak: %6.0f s  sent %7d  heap MiB %s  RSS MiB %s%n", s.seconds(),
                        s.sent(), brief(s.heapMib()), brief(s.rssMib()));
            }
            if (streamer.failure() != null) {
                System.out.println("soak: sending failed: " + streamer.failure());
                return 1;
            }
            double sendSeconds = (System.nanoTime() - begin) / 1e9;
            System.out.printf(Locale.ROOT, "soak: %d reviews sent in %.0f s (%.1f/s)%n", streamer.acked(), sendSeconds,
                    streamer.acked() / sendSeconds);
            Map<String, Integer> outcomes = awaitAccounted(client, reviews, Duration.ofMinutes(10));
            report(samples, warmup, pids.keySet(), reviews, outcomes, versions(client));
            return 0;
        }
    }

    /** The bundled UCI sentences (its held-out split left out), repeated with fresh ids until there are {@code n}. */
    private static List<Review> repeated(int n) throws IOException {
        List<Review> base = ReviewStreamer.select(List.of(BundledData.uci(
                Path.of(System.getProperty("sentiflow.home", ".")).resolve("data"))), new StreamPlan(0.5))
                .reviews();
        List<Review> out = new ArrayList<>(n);
        for (int round = 1; out.size() < n; round++) {
            for (Review r : base) {
                if (out.size() == n) {
                    break;
                }
                out.add(round == 1 ? r : Review.newBuilder(r).setId(r.getId() + "#r" + round).build());
            }
        }
        return out;
    }

    private static Sample sample(Map<String, Long> pids, double seconds, long sent) {
        Map<String, Double> heap = new LinkedHashMap<>();
        Map<String, Double> rss = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            jcmd(pid, "GC.run");
            Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
            heap.put(name, used.find() ? Long.parseLong(used.group(1)) / 1024.0 : Double.NaN);
            rss.put(name, rssMib(pid));
        });
        return new Sample(seconds, sent, heap, rss);
    }

    private static String jcmd(long pid, String command) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static double rssMib(long pid) {
        try {
            Matcher m = RSS.matcher(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
            return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** Every review id as a prediction or a dead letter, once all are in or at the timeout. */
    private static Map<String, Integer> awaitAccounted(Map<String, Object> client, List<Review> reviews,
            Duration timeout) throws InterruptedException {
        Map<String, Integer> outcomes = Map.of();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            outcomes = KeyCounts.of(client, List.of(Topics.PREDICTIONS, Topics.PREDICTIONS_DLQ, Topics.REVIEWS_DLQ),
                    Duration.ofMinutes(2));
            if (outcomes.size() >= reviews.size()) {
                break;
            }
            System.out.printf("soak: %d of %d ids accounted for; waiting for the rest%n", outcomes.size(),
                    reviews.size());
            Thread.sleep(10_000); // polling under the deadline above
        }
        return outcomes;
    }

    /** Versions published: committed records on models keyed as chunk 0 of a version (before any compaction). */
    private static long versions(Map<String, Object> client) {
        return KeyCounts.of(client, List.of(Topics.MODELS), Duration.ofMinutes(2)).entrySet().stream().filter(e -> e.getKey().endsWith("#0"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private static void report(List<Sample> samples, int warmup, Iterable<String> services, List<Review> reviews,
            Map<String, Integer> outcomes, long versionKeys) {
        List<Sample> steady = samples.stream().filter(s -> s.seconds() >= warmup).toList();
        // The second half as well: a slope that is much smaller there was still settling, not leaking.
        List<Sample> late = steady.subList(steady.size() / 2, steady.size());
        System.out.printf(Locale.ROOT, "soak: %d samples after the %d s warm-up, over %.0f s (slopes: after the warm-up "
                + "| its second half)%n", steady.size(), warmup, span(steady));
        System.out.println("soak: service     live heap MiB first/last  slope MiB/h          RSS MiB first/last  "
                + "slope MiB/h");
        for (String service : services) {
            System.out.printf(Locale.ROOT, "soak: %-9s  %8.1f / %8.1f  %+8.1f | %+8.1f  %8.1f / %8.1f  %+8.1f | %+8.1f%n",
                    service, first(steady, service, Sample::heapMib), last(steady, service, Sample::heapMib),
                    slope(steady, service, Sample::heapMib), slope(late, service, Sample::heapMib),
                    first(steady, service, Sample::rssMib), last(steady, service, Sample::rssMib),
                    slope(steady, service, Sample::rssMib), slope(late, service, Sample::rssMib));
        }
        long once = reviews.stream().filter(r -> outcomes.getOrDefault(r.getId(), 0) == 1).count();
        long missing = reviews.stream().filter(r -> !outcomes.containsKey(r.getId())).count();
        long more = reviews.stream().filter(r -> outcomes.getOrDefault(r.getId(), 0) > 1).count();
        System.out.printf(Locale.ROOT, "soak: ids: %d sent, %d exactly once (prediction or dead letter), %d missing, "
                + "%d more than once; versions published: %d%n", reviews.size(), once,
                missing, more, versionKeys);
    }

    /** Least-squares slope of {@code y} over {@code t} seconds, per hour; NaN with fewer than 2 points. */
    static double slopePerHour(double[] t, double[] y) {
        int n = t.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mt = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mt += t[i] / n;
            my += y[i] / n;
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (t[i] - mt) * (y[i] - my);
            den += (t[i] - mt) * (t[i] - mt);
        }
        return den == 0 ? Double.NaN : num / den * 3600;
    }

    private static double span(List<Sample> samples) {
        return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).seconds() - samples.get(0).seconds();
    }

    private static double slope(List<Sample> samples, String service,
            java.util.function.Function<Sample, Map<String, Double>> what) {
        return slopePerHour(samples.stream().mapToDouble(Sample::seconds).toArray(),
                samples.stream().mapToDouble(s -> what.apply(s).get(service)).toArray());
    }

    private static double first(List<Sample> samples, String service,
            java.util.function.Function<Sample, Map<String, Double>> what) {
        return samples.isEmpty() ? Double.NaN : what.apply(samples.get(0)).get(service);
    }

    private static double last(List<Sample> samples, String service,
            java.util.function.Function<Sample, Map<String, Double>> what) {
        return samples.isEmpty() ? Double.NaN : what.apply(samples.get(samples.size() - 1)).get(service);
    }

    private static String brief(Map<String, Double> values) {
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> b.append(k).append(' ').append(String.format(Locale.ROOT, "%.0f", v)).append(' '));
        return b.toString().trim();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: soak [--reviews N] [--rate PER_SECOND] [--sample SECONDS] "
                        + "[--warmup SECONDS] [--workdir DIR]; got " + String.join(" ", args));
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }
}
