package dev.sentiflow.inference;

import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.inference.models.BlockVersions;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.inference.models.ServedVersion;
import dev.sentiflow.inference.models.ServedVersions;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.inference.onnx.SessionThreads;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The inference app's speed on this machine, every row measured in one run: records/s through the
 * real broker (the app as it runs, exactly-once) at batch 1 and 32 beside the bare model on the same
 * batches of the same real review texts; produce-to-prediction latency (read_committed, as a user
 * sees it) at half the measured maximum rate; during that stream a new adapter is published, and the
 * time from its commit on {@code models} to the first prediction that names it is taken; the pause a
 * swap costs a scoring thread; the memory of 1, 10 and 100 adapters on one base.
 *
 * <p>Run: {@code ./bench inference [--quick] [--precision int8] [--commit-interval-ms N] [--spin-wait] [--broker-in-jvm] [--intra-op-threads N] [--passes N] [--batch B] [--latency-at R]};
 * prints a table and writes it to {@code runs/bench-results/DATE-inference[-int8].json}. The broker runs in a
 * JVM of its own (as in production, it does not share this process's heap, GC and JIT threads), unless
 * {@code --broker-in-jvm}. {@code --precision int8} serves (the app and the bare model alike) with
 * {@code serve.precision=int8}. {@code --spin-wait} lets ONNX Runtime's threads spin between runs
 * ({@code scoring.spin.wait=true}, app and bare model alike). {@code --quick} uses few records (a smoke run, its numbers mean little).
 * {@code --passes N} sends each throughput run's records N times (default 3), timing the last pass;
 * {@code --batch B} measures throughput at batch B alone (latency needs batch 32). {@code --intra-op-threads N} gives ONNX Runtime N threads (app and bare model alike; default one per core).
 * {@code --latency-at R} measures only the latency (and the swap within it) at R records/s, for iterating on it.
 */
public final class InferenceBenchmark {

    private static final String MODELS = "models";
    /** serve.precision of every app and bare model of the run. */
    private static String precision = "fp32";
    /** Streams' commit interval for every app of the run, when not its default (100 ms under exactly-once). */
    private static Optional<Long> commitIntervalMs = Optional.empty();
    /** Whether ONNX Runtime's threads spin between runs, in every app and bare model of the run. */
    private static boolean spinWait = false;
    /** ONNX Runtime's intra-op threads in every app and bare model of the run (0: one per core). */
    private static int intraOpThreads = 0;
    /** Times each throughput run's records go through the app; all but the last warm it up. */
    private static int passes = 3;

    private InferenceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int at = Arrays.asList(args).indexOf("--precision");
        precision = at >= 0 ? args[at + 1] : "fp32";
        int ci = Arrays.asList(args).indexOf("--commit-interval-ms");
        commitIntervalMs = ci >= 0 ? Optional.of(Long.parseLong(args[ci + 1])) : Optional.empty();
        int la = Arrays.asList(args).indexOf("--latency-at");
        Optional<Double> latencyOnlyAt = la >= 0 ? Optional.of(Double.parseDouble(args[la + 1])) : Optional.empty();
        int records = quick ? 96 : 1200;
        int ps = Arrays.asList(args).indexOf("--passes");
        passes = ps >= 0 ? Integer.parseInt(args[ps + 1]) : 3;
        if (passes < 2) {
            throw new IllegalArgumentException("--passes must be at least 2 (warm-up passes, then the timed one)");
        }
        int bs = Arrays.asList(args).indexOf("--batch");
        List<Integer> batches = bs >= 0 ? List.of(Integer.parseInt(args[bs + 1])) : List.of(1, 32);
        Duration latencyRun = Duration.ofSeconds(quick ? 8 : 40);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("quick", quick);
        results.put("precision", precision);
        results.put("commit_interval_ms", commitIntervalMs.orElse(100L));
        boolean brokerInJvm = Arrays.asList(args).contains("--broker-in-jvm");
        spinWait = Arrays.asList(args).contains("--spin-wait");
        int io = Arrays.asList(args).indexOf("--intra-op-threads");
        intraOpThreads = io >= 0 ? Integer.parseInt(args[io + 1]) : 0;
        results.put("intra_op_threads", intraOpThreads);
        results.put("spin_wait", spinWait);
        results.put("broker", brokerInJvm ? "in the benchmark's JVM" : "own process");
        try (EmbeddedKafka kafka = brokerInJvm ? EmbeddedKafka.start() : EmbeddedKafka.startInChildProcess();
             ApicurioRegistry server = ApicurioRegistry.start();
             TestModels models = TestModels.load(0)) {
            SchemaRegistryClient registry = new SchemaRegistryClient(server.confluentApiUrl());
            kafka.createTopics(1, MODELS, "metrics.live");
            byte[] v1 = models.adapter(1);
            byte[] v2 = models.adapter(2);
            KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, MODELS, 1,
                    models.chunks("default", 1, v1, Optional.empty()));
            List<TokenizedReview> reviews = InferenceIT.uciReviews(models, 0, records);
            System.out.printf(Locale.ROOT, "%d real UCI review sentences, full MiniLM-L6, %s, commit interval %d ms, %d "
                    + "cores, broker %s, ONNX Runtime threads %s, %s%n", reviews.size(), precision,
                    commitIntervalMs.orElse(100L), Runtime.getRuntime().availableProcessors(), results.get("broker"),
                    intraOpThreads == 0 ? "one per core" : String.valueOf(intraOpThreads),
                    spinWait ? "spinning between runs" : "not spinning");

            if (latencyOnlyAt.isPresent()) {
                // Iterating on latency alone: no throughput rows, no file.
                latencyAndSwap(kafka, server, registry, models, reviews, v2, latencyOnlyAt.get(), latencyRun);
                return;
            }
            Map<Integer, Double> bare = new LinkedHashMap<>();
            Map<Integer, Double> broker = new LinkedHashMap<>();
            SessionThreads threads = new SessionThreads(intraOpThreads, spinWait);
            ServedVersions bareVersions = precision.equals("fp32") && !spinWait && intraOpThreads == 0 ? models.versions
                    : BlockVersions.of(models.block, models.identity,
                            BertOnnxGraph.Precision.valueOf(precision.toUpperCase(Locale.ROOT)), threads);
            ServedVersion served = bareVersions.fromCheckpoint("default", 1, "bench", v1, "bench v1");
            try {
                Map<Integer, Map<String, Double>> cpu = new LinkedHashMap<>();
                for (int batch : batches) {
                    Bare alone = bareModel(models, served, reviews, batch);
                    bare.put(batch, alone.recordsPerSecond());
                    Through through = throughBroker(kafka, server, registry, reviews, batch);
                    broker.put(batch, through.recordsPerSecond());
                    System.out.printf(Locale.ROOT, "batch %2d: bare model %6.1f records/s, through the broker %6.1f "
                            + "records/s (%.0f%%)%n", batch, bare.get(batch), broker.get(batch),
                            100 * broker.get(batch) / bare.get(batch));
                    double bareMs = alone.cpuMsPerRecord();
                    System.out.printf(Locale.ROOT, "  CPU per record: bare model %.1f ms; through the broker %.1f ms "
                            + "in this JVM (app, producer, consumer) + %s in the broker's process%n", bareMs,
                            through.jvmCpuMsPerRecord(), through.brokerCpuMsPerRecord() < 0 ? "(unknown: in this JVM)"
                                    : String.format(Locale.ROOT, "%.1f ms", through.brokerCpuMsPerRecord()));
                    cpu.put(batch, Map.of("bare_ms", bareMs, "jvm_ms", through.jvmCpuMsPerRecord(), "broker_ms",
                            through.brokerCpuMsPerRecord()));
                }
                results.put("cpu_per_record", cpu);
            } finally {
                served.retire();
                if (bareVersions != models.versions) {
                    bareVersions.close();
                }
            }
            results.put("bare_records_per_s", bare);
            results.put("broker_records_per_s", broker);

            if (broker.containsKey(32)) {
                double rate = broker.get(32) / 2;
                double batchSeconds = 32 / bare.get(32);
                Map<String, Object> latency = latencyAndSwap(kafka, server, registry, models, reviews, v2, rate,
                        latencyRun);
                latency.put("target_p99_ms", 50 + 2 * batchSeconds * 1000);
                results.put("latency", latency);
            }

            results.put("swap_pause", swapPause(models, v1, v2, quick ? 20 : 100));
            results.put("memory", adapterMemory(models, v1, quick ? List.of(1, 10) : List.of(1, 10, 100)));
        }
        Path out = Path.of("../runs/bench-results", LocalDate.now() + "-inference" + (quick ? "-quick" : "")
                + (precision.equals("fp32") ? "" : "-" + precision)
                + commitIntervalMs.map(ms -> "-commit" + ms).orElse("") + (spinWait ? "-spin" : "")
                + (intraOpThreads == 0 ? "" : "-threads" + intraOpThreads) + ".json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(results));
        System.out.println("wrote " + out.toAbsolutePath().normalize());
    }

    /** The bare model's rate, and the CPU this JVM spent per record on the timed pass. */
    private record Bare(double recordsPerSecond, double cpuMsPerRecord) {}

    /** The model alone on the records, in consecutive batches of {@code batch} (each sorted by length, as the app does). */
    private static Bare bareModel(TestModels models, ServedVersion served, List<TokenizedReview> reviews, int batch) {
        OnnxScorer scorer = new OnnxScorer(models.tokenizer.padId(), 32);
        List<int[]> ids = reviews.stream().map(r -> r.getTokenIds().stream().mapToInt(Integer::intValue).toArray())
                .toList();
        double rate = 0;
        double cpu = 0;
        // The first pass is a warm-up: the runtime prepares kernels per new input shape.
        for (int pass = 0; pass < 2; pass++) {
            long begin = System.nanoTime();
            double cpuBegin = cpuSeconds();
            for (int from = 0; from < ids.size(); from += batch) {
                scorer.score(ids.subList(from, Math.min(ids.size(), from + batch)), served.onnx());
            }
            rate = ids.size() / ((System.nanoTime() - begin) / 1e9);
            cpu = cpuSeconds() - cpuBegin;
        }
        return new Bare(rate, cpu / ids.size() * 1000);
    }

    private static Map<String, String> settings(EmbeddedKafka kafka, ApicurioRegistry server, String name, int batch)
            throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("schema.registry.url", server.confluentApiUrl());
        settings.put("application.id", "bench-" + name);
        settings.put("topic.tokenized", "in-" + name);
        settings.put("topic.predictions", "out-" + name);
        settings.put("state.dir", Files.createTempDirectory("inference-bench").toString());
        settings.put("batch.max.records", String.valueOf(batch));
        settings.put("serve.precision", precision);
        commitIntervalMs.ifPresent(ms -> settings.put("kafka.commit.interval.ms", String.valueOf(ms)));
        settings.put(InferenceConfig.SPIN_WAIT, String.valueOf(spinWait));
        settings.put(InferenceConfig.INTRA_OP_THREADS, String.valueOf(intraOpThreads));
        return settings;
    }

    /** CPU seconds this JVM has used so far. */
    private static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** A through-the-broker run: its rate, and CPU per record in this JVM and in the broker's (-1: unknown). */
    private record Through(double recordsPerSecond, double jvmCpuMsPerRecord, double brokerCpuMsPerRecord) {}

    /**
     * Records/s of the app on a backlog: the records {@link #passes} times over (under other ids each
     * time) on the topic before it starts; the first passes warm the app up as the bare model's first pass
     * does (group join, the JIT compiling Streams', Kafka's and our code, kernels per shape), the last is
     * timed, from the moment the earlier passes' predictions are all committed to the last, with the CPU
     * both processes spent over that time.
     */
    private static Through throughBroker(EmbeddedKafka kafka, ApicurioRegistry server, SchemaRegistryClient registry,
            List<TokenizedReview> reviews, int batch) throws Exception {
        String name = "b" + batch;
        kafka.createTopics(2, "in-" + name, "out-" + name);
        List<TokenizedReview> all = new ArrayList<>(reviews);
        for (int pass = 1; pass < passes; pass++) {
            String suffix = "-pass" + pass;
            reviews.forEach(r -> all.add(TokenizedReview.newBuilder(r).setId(r.getId() + suffix).build()));
        }
        KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, "in-" + name, all);
        try (var consumer = KafkaChecks.predictionsConsumer(kafka.bootstrapServers(), registry)) {
            assignAll(consumer, "out-" + name);
            InferenceService app = InferenceService.start(new InferenceConfig(settings(kafka, server, name, batch)));
            long begin = System.nanoTime();
            try {
                long seen = 0;
                long timedFrom = 0;
                long firstAt = 0;
                long warmedAt = 0;
                double jvmCpu = 0;
                double brokerCpu = 0;
                long deadline = begin + Duration.ofMinutes(10).toNanos();
                while (seen < all.size()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + seen + " of " + all.size() + " predictions");
                    }
                    int got = consumer.poll(Duration.ofMillis(100)).count();
                    if (seen == 0 && got > 0) {
                        firstAt = System.nanoTime();
                    }
                    seen += got;
                    if (warmedAt == 0 && seen >= all.size() - reviews.size()) {
                        warmedAt = System.nanoTime();
                        timedFrom = seen;
                        jvmCpu = -cpuSeconds();
                        brokerCpu = -kafka.processCpuTime().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
                    }
                }
                jvmCpu += cpuSeconds();
                brokerCpu += kafka.processCpuTime().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
                System.out.printf(Locale.ROOT, "  (batch %d: first predictions %.1f s after the start, %d warm-up "
                        + "pass(es) at %.0f records/s)%n", batch, (firstAt - begin) / 1e9, passes - 1,
                        timedFrom / ((warmedAt - firstAt) / 1e9));
                long counted = seen - timedFrom;
                firstAt = warmedAt;
                return new Through(counted / ((System.nanoTime() - firstAt) / 1e9), jvmCpu / counted * 1000,
                        Double.isNaN(brokerCpu) ? -1 : brokerCpu / counted * 1000);
            } finally {
                app.close();
            }
        }
    }

    /**
     * Streams records at {@code rate} per second with their send time as event time; the latency of a
     * record is the moment a read_committed consumer gets its prediction minus that. Halfway, v2 is
     * published: the commit-to-first-v2-prediction time is taken.
     */
    private static Map<String, Object> latencyAndSwap(EmbeddedKafka kafka, ApicurioRegistry server,
            SchemaRegistryClient registry, TestModels models, List<TokenizedReview> reviews, byte[] v2, double rate,
            Duration length) throws Exception {
        String name = "latency";
        kafka.createTopics(2, "in-" + name, "out-" + name);
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        // Each latency split in two: sent -> scored (arrival, batching, the model) and scored -> seen
        // (the transaction's commit and a read_committed fetch).
        List<Long> toScored = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> toSeen = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong warmSeen = new AtomicLong();
        AtomicLong firstV2 = new AtomicLong(-1);
        AtomicBoolean stop = new AtomicBoolean();
        InferenceService app = InferenceService.start(new InferenceConfig(settings(kafka, server, name, 32)));
        long swapCommitted;
        int sent = 0;
        try (var consumer = KafkaChecks.predictionsConsumer(kafka.bootstrapServers(), registry)) {
            assignAll(consumer, "out-" + name);
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    for (var r : consumer.poll(Duration.ofMillis(20))) {
                        long now = System.currentTimeMillis();
                        Prediction p = r.value();
                        if (p.getId().startsWith("warm-")) {
                            warmSeen.incrementAndGet();
                            continue;
                        }
                        latencies.add(now - p.getEventTime().toEpochMilli());
                        toScored.add(p.getScoredAt().toEpochMilli() - p.getEventTime().toEpochMilli());
                        toSeen.add(now - p.getScoredAt().toEpochMilli());
                        if (p.getModelVersion() == 2L) {
                            firstV2.compareAndSet(-1, System.nanoTime());
                        }
                    }
                }
            }, "bench-reader");
            reader.start();
            var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(), "linger.ms", 0),
                    new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer());
            var serializer = new dev.sentiflow.schemas.serde.AvroSerializer<TokenizedReview>(registry,
                    TokenizedReview.getClassSchema(), true, false);
            // Timed from a running app: a record sent while it still joins its group would wait for that.
            int warm = 20;
            for (int i = 0; i < warm; i++) {
                TokenizedReview r = TokenizedReview.newBuilder(reviews.get(i)).setId("warm-" + i)
                        .setEventTime(Instant.now()).build();
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("in-" + name,
                        r.getId().getBytes(java.nio.charset.StandardCharsets.UTF_8), serializer.serialize("in-" + name, r)));
            }
            producer.flush();
            long warmDeadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (warmSeen.get() < warm) {
                if (System.nanoTime() > warmDeadline) {
                    throw new IllegalStateException("the app scored " + warmSeen.get() + " of " + warm
                            + " warm-up records in 120 s");
                }
                Thread.sleep(20);
            }
            long begin = System.nanoTime();
            long end = begin + length.toNanos();
            long half = begin + length.toNanos() / 2;
            swapCommitted = -1;
            while (System.nanoTime() < end) {
                long due = begin + (long) (sent * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                TokenizedReview r = TokenizedReview.newBuilder(reviews.get(sent % reviews.size()))
                        .setId("lat-" + sent).setEventTime(Instant.now()).build();
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("in-" + name,
                        r.getId().getBytes(java.nio.charset.StandardCharsets.UTF_8), serializer.serialize("in-" + name, r)));
                sent++;
                if (swapCommitted < 0 && System.nanoTime() > half) {
                    producer.flush();
                    Thread publisher = new Thread(() -> KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry,
                            MODELS, 1, models.chunks("default", 2, v2, Optional.empty())));
                    publisher.start();
                    publisher.join(); // returns once the transaction committed
                    swapCommitted = System.nanoTime();
                }
            }
            producer.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (latencies.size() < sent && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            stop.set(true);
            reader.join();
        } finally {
            app.close();
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        double p50 = percentile(sorted, 0.5);
        double p99 = percentile(sorted, 0.99);
        long[] scoredPart = toScored.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] seenPart = toSeen.stream().mapToLong(Long::longValue).sorted().toArray();
        double swapMs = firstV2.get() < 0 ? Double.NaN : (firstV2.get() - swapCommitted) / 1e6;
        System.out.printf(Locale.ROOT, "latency at %.0f records/s (half the batch-32 maximum): p50 %.0f ms, p99 %.0f ms "
                + "over %d predictions of %d sent%n", rate, p50, p99, sorted.length, sent);
        System.out.printf(Locale.ROOT, "  of which sent -> scored p50 %.0f / p99 %.0f ms, scored -> seen (commit, "
                + "read_committed fetch) p50 %.0f / p99 %.0f ms%n", percentile(scoredPart, 0.5),
                percentile(scoredPart, 0.99), percentile(seenPart, 0.5), percentile(seenPart, 0.99));
        System.out.printf(Locale.ROOT, "hot swap: v2 committed on %s -> first prediction by v2 after %.0f ms%n", MODELS,
                swapMs);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rate_records_per_s", rate);
        out.put("p50_ms", p50);
        out.put("p99_ms", p99);
        out.put("sent_to_scored_p50_ms", percentile(scoredPart, 0.5));
        out.put("sent_to_scored_p99_ms", percentile(scoredPart, 0.99));
        out.put("scored_to_seen_p50_ms", percentile(seenPart, 0.5));
        out.put("scored_to_seen_p99_ms", percentile(seenPart, 0.99));
        out.put("predictions", sorted.length);
        out.put("sent", sent);
        out.put("swap_commit_to_first_prediction_ms", swapMs);
        return out;
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, sorted.length * q)];
    }

    /**
     * What a swap costs the scoring thread: one thread takes and releases the served version as each
     * batch does, back to back, while another swaps {@code swaps} staged versions in; the longest take
     * is the pause (staging happens before, off that thread).
     */
    private static Map<String, Object> swapPause(TestModels models, byte[] v1, byte[] v2, int swaps) throws Exception {
        List<ServedVersion> staged = new ArrayList<>();
        for (int i = 0; i < swaps; i++) {
            byte[] bytes = i % 2 == 0 ? v2 : v1;
            staged.add(models.versions.fromCheckpoint("default", i + 2, "s" + i, bytes, "swap " + i));
        }
        try (ModelRegistry registry = new ModelRegistry()) {
            registry.offer(models.versions.fromCheckpoint("default", 1, "s", v1, "swap base"));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean swapping = new AtomicBoolean();
            // No allocation while measuring (a GC pause would pass for a swap pause): counters only.
            long[] stats = new long[4]; // takes, longest take, longest take overlapping a swap, takes over 10 us
            Thread scorer = new Thread(() -> {
                while (!stop.get()) {
                    boolean during = swapping.get();
                    long t = System.nanoTime();
                    try (var held = registry.hold("default").orElseThrow()) {
                        long took = System.nanoTime() - t;
                        during |= swapping.get();
                        stats[0]++;
                        stats[1] = Math.max(stats[1], took);
                        if (during) {
                            stats[2] = Math.max(stats[2], took);
                        }
                        if (took > 10_000) {
                            stats[3]++;
                        }
                    }
                }
            }, "bench-scorer");
            scorer.start();
            for (ServedVersion v : staged) {
                Thread.sleep(5);
                swapping.set(true);
                registry.offer(v);
                swapping.set(false);
            }
            Thread.sleep(5);
            stop.set(true);
            scorer.join();
            double duringUs = stats[2] / 1e3;
            double maxUs = stats[1] / 1e3;
            System.out.printf(Locale.ROOT, "swap pause: %d swaps under %,d batch takes: longest take overlapping a swap "
                    + "%.1f us; longest take of all %.1f us; %d takes over 10 us%n", swaps, stats[0], duringUs, maxUs,
                    stats[3]);
            return Map.of("swaps", swaps, "takes", stats[0], "during_swap_max_us", duringUs, "max_us", maxUs,
                    "takes_over_10us", stats[3]);
        }
    }

    /** Exact native bytes of N adapter versions staged on the one base. */
    private static Map<String, Object> adapterMemory(TestModels models, byte[] adapter, List<Integer> counts)
            throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int n : counts) {
            List<ServedVersion> versions = new ArrayList<>();
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                ServedVersion v = models.versions.fromCheckpoint("m" + i, 1, "x", adapter, "adapter " + i);
                versions.add(v);
                bytes += v.bytes();
            }
            // Exact native bytes: process RSS moved by more than 100 adapters' worth with the JVM's heap alone.
            System.out.printf(Locale.ROOT, "%3d adapters on one base: %,d bytes of their own arrays (%.2f MB each; "
                    + "the base, %,d bytes, is shared)%n", n, bytes, bytes / 1e6 / n, blockBytes(models));
            out.put(String.valueOf(n), Map.of("array_bytes", bytes));
            versions.forEach(ServedVersion::retire);
        }
        return out;
    }

    /** Reads every partition of {@code topic} from the start, without a group (nothing is committed). */
    private static void assignAll(org.apache.kafka.clients.consumer.KafkaConsumer<?, ?> consumer, String topic) {
        List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private static long blockBytes(TestModels models) {
        return models.block.namedParameters().values().stream()
                .mapToLong(p -> p.getArray().getShape().size() * p.getArray().getDataType().getNumOfBytes()).sum();
    }
}
