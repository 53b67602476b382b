package dev.sentiflow.inference;

import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.inference.models.BlockVersions;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.inference.models.ServedVersion;
import dev.sentiflow.inference.models.ServedVersions;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.inference.onnx.ParallelRuns;
import dev.sentiflow.inference.onnx.SessionThreads;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.topic.ReadToEnd;
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
 * <p>Run: {@code ./bench inference [--quick] [--precision int8] [--commit-interval-ms N] [--spin-wait] [--broker-in-jvm] [--intra-op-threads N] [--warmup N] [--rounds N] [--batch B] [--latency-at R] [--partitions P] [--set key=value]...};
 * prints a table and writes it to {@code runs/bench-results/DATE-inference[-int8].json}. The broker runs in a
 * JVM of its own (as in production, it does not share this process's heap, GC and JIT threads), unless
 * {@code --broker-in-jvm}. {@code --precision int8} serves (the app and the bare model alike) with
 * {@code serve.precision=int8}. {@code --spin-wait} lets ONNX Runtime's threads spin between runs
 * ({@code scoring.spin.wait=true}, app and bare model alike). {@code --quick} uses few records (a smoke run, its numbers mean little).
 * {@code --warmup N} warms each app up on N passes over the records (default 2); {@code --rounds N}
 * takes each throughput figure as the best of N round-robin measurements (default 3); {@code --batch B} measures throughput at batch B alone (latency needs batch 32). {@code --intra-op-threads N} gives ONNX Runtime N threads (app and bare model alike; default one per core).
 * {@code --set key=value} passes an inference option to every app of the run (e.g. {@code batch.max.wait.ms=20}).
 * {@code --latency-at R} measures only the latency (and the swap within it) at R records/s, for iterating on it.
 * {@code --partitions P} gives the app's input topic P partitions (default 2).
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
    /** Settings every app of the run gets on top of the bench's own ({@code --set key=value}, repeatable). */
    private static final Map<String, String> extraSettings = new LinkedHashMap<>();
    /** Passes over the records that warm the app up before any is timed. */
    private static int warmupPasses = 2;
    /** Round-robin measurements (bare model, then the app) per batch size; the best of each is kept. */
    private static int rounds = 3;
    /** Partitions of every app's input topic. */
    private static int partitions = 2;

    private InferenceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int at = Arrays.asList(args).indexOf("--precision");
        precision = at >= 0 ? args[at + 1] : "fp32";
        int ci = Arrays.asList(args).indexOf("--commit-interval-ms");
        commitIntervalMs = ci >= 0 ? Optional.of(Long.parseLong(args[ci + 1])) : Optional.empty();
        int pa = Arrays.asList(args).indexOf("--partitions");
        partitions = pa >= 0 ? Integer.parseInt(args[pa + 1]) : 2;
        int la = Arrays.asList(args).indexOf("--latency-at");
        Optional<Double> latencyOnlyAt = la >= 0 ? Optional.of(Double.parseDouble(args[la + 1])) : Optional.empty();
        int records = quick ? 96 : 1200;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--set")) {
                String[] kv = args[i + 1].split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("--set takes key=value, got " + args[i + 1]);
                }
                extraSettings.put(kv[0], kv[1]);
            }
        }
        int wu = Arrays.asList(args).indexOf("--warmup");
        warmupPasses = wu >= 0 ? Integer.parseInt(args[wu + 1]) : 2;
        int ro = Arrays.asList(args).indexOf("--rounds");
        rounds = ro >= 0 ? Integer.parseInt(args[ro + 1]) : (quick ? 1 : 3);
        if (warmupPasses < 1 || rounds < 1) {
            throw new IllegalArgumentException("--warmup and --rounds must be at least 1");
        }
        int bs = Arrays.asList(args).indexOf("--batch");
        List<Integer> batches = bs >= 0 ? List.of(Integer.parseInt(args[bs + 1])) : List.of(1, 32);
        Duration latencyRun = Duration.ofSeconds(quick ? 8 : 40);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("quick", quick);
        results.put("settings", extraSettings);
        results.put("precision", precision);
        results.put("commit_interval_ms", commitIntervalMs.orElse(100L));
        results.put("input_partitions", partitions);
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
            InferenceConfig app = new InferenceConfig(settings(kafka, server, "bare", 32));
            System.out.printf(Locale.ROOT, "%d real UCI review sentences, full MiniLM-L6, %s, %d input partitions, "
                    + "commit interval %d ms, %d cores, broker %s; the app: %d stream thread(s), %d run(s) of a batch "
                    + "at once, ONNX Runtime threads per run %s, %s%n", reviews.size(), precision,
                    partitions, commitIntervalMs.orElse(100L), Runtime.getRuntime().availableProcessors(),
                    results.get("broker"), app.getInt(InferenceConfig.STREAM_THREADS), app.parallelRuns(),
                    app.sessionThreads().intraOp() == 0 ? "one per core" : String.valueOf(app.sessionThreads().intraOp()),
                    spinWait ? "spinning between runs" : "not spinning");

            if (latencyOnlyAt.isPresent()) {
                // Iterating on latency alone: no throughput rows, no file.
                latencyAndSwap(kafka, server, registry, models, reviews, v2, latencyOnlyAt.get(), latencyRun);
                return;
            }
            Map<Integer, Double> bare = new LinkedHashMap<>();
            Map<Integer, Double> broker = new LinkedHashMap<>();
            Map<Integer, Double> shares = new LinkedHashMap<>();
            // The bare model as the app scores (its session threads, its runs at once, one caller per stream
            // thread), and as one caller with one run at a time on every core; each round compares the app with
            // the faster of the two.
            BertOnnxGraph.Precision graphPrecision = BertOnnxGraph.Precision.valueOf(precision.toUpperCase(Locale.ROOT));
            ServedVersions asAppVersions = BlockVersions.of(models.block, models.identity, graphPrecision,
                    app.sessionThreads());
            ServedVersions oneRunVersions = BlockVersions.of(models.block, models.identity, graphPrecision,
                    new SessionThreads(intraOpThreads, spinWait));
            List<BareSetup> bareSetups = List.of(
                    new BareSetup("as the app scores", asAppVersions.fromCheckpoint("default", 1, "bench", v1, "bench v1"),
                            app.getInt(InferenceConfig.STREAM_THREADS), new ParallelRuns(app.parallelRuns(),
                                    app.getInt(InferenceConfig.STREAM_THREADS))),
                    new BareSetup("one run at a time", oneRunVersions.fromCheckpoint("default", 1, "bench", v1,
                            "bench v1"), 1, ParallelRuns.ONE));
            try {
                Map<Integer, Map<String, Double>> cpu = new LinkedHashMap<>();
                for (int batch : batches) {
                    RoundRobin measured = roundRobin(kafka, server, registry, models, bareSetups, reviews, batch);
                    Bare alone = measured.bare();
                    Through through = measured.through();
                    bare.put(batch, alone.recordsPerSecond());
                    broker.put(batch, through.recordsPerSecond());
                    System.out.printf(Locale.ROOT, "batch %2d: bare model %6.1f records/s, through the broker %6.1f "
                            + "records/s (%.0f%%), best of %d rounds each: bare %s, through the broker %s; each round's "
                            + "app pass over its bare pass %s, median %.0f%%%n", batch,
                            bare.get(batch), broker.get(batch), 100 * broker.get(batch) / bare.get(batch), rounds,
                            measured.bareRates(), measured.throughRates(), measured.pairedRatios(),
                            100 * measured.medianRatio());
                    shares.put(batch, measured.medianRatio());
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
                bareSetups.forEach(b -> {
                    b.served().retire();
                    b.parallel().close();
                });
                asAppVersions.close();
                oneRunVersions.close();
            }
            results.put("bare_records_per_s", bare);
            results.put("broker_records_per_s", broker);
            results.put("median_paired_share", shares);

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

    /** The bare model as measured: a version, and how many threads call it at once. */
    private record BareSetup(String name, ServedVersion served, int callers, ParallelRuns parallel) {}

    /**
     * The model alone on the records, in consecutive batches of {@code batch} (each sorted by length, as
     * the app does), split among {@code callers} threads scoring at once: a warm-up pass (the runtime
     * prepares kernels per new input shape), then a timed one.
     */
    private static Bare bareModel(TestModels models, BareSetup setup, List<TokenizedReview> reviews, int batch)
            throws InterruptedException {
        OnnxScorer scorer = new OnnxScorer(models.tokenizer.padId(), 32, OnnxScorer.MAX_PADDING, setup.parallel());
        List<int[]> ids = reviews.stream().map(r -> r.getTokenIds().stream().mapToInt(Integer::intValue).toArray())
                .toList();
        double rate = 0;
        double cpu = 0;
        for (int pass = 0; pass < 2; pass++) {
            long begin = System.nanoTime();
            double cpuBegin = cpuSeconds();
            List<Thread> callers = new ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            for (int c = 0; c < setup.callers(); c++) {
                int first = c;
                Thread caller = new Thread(() -> {
                    for (int from = first * batch; from < ids.size(); from += batch * setup.callers()) {
                        scorer.score(ids.subList(from, Math.min(ids.size(), from + batch)), setup.served().onnx());
                    }
                }, "bare-caller-" + c);
                caller.setUncaughtExceptionHandler((t, e) -> failed.compareAndSet(null, e));
                caller.start();
                callers.add(caller);
            }
            for (Thread t : callers) {
                t.join();
            }
            if (failed.get() != null) {
                throw new IllegalStateException("the bare model failed: " + failed.get(), failed.get());
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
        settings.putAll(extraSettings);
        return settings;
    }

    /** CPU seconds the broker's own process has used so far; NaN when the broker runs in this JVM. */
    private static double brokerCpuSeconds(EmbeddedKafka kafka) {
        return kafka.processCpuTime().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** CPU seconds this JVM has used so far. */
    private static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** A through-the-broker pass: its rate, and CPU per record in this JVM and in the broker's (-1: unknown). */
    private record Through(double recordsPerSecond, double jvmCpuMsPerRecord, double brokerCpuMsPerRecord,
            double compilerMsPerRecord) {}

    /** The best round of each side, and every round's rate as printed. */
    private record RoundRobin(Bare bare, Through through, String bareRates, String throughRates, String pairedRatios,
            double medianRatio) {}

    /**
     * The bare model and the app through the broker, measured round-robin so that a burst of someone
     * else's load on this shared machine lowers one measurement of each side rather than a whole side.
     * The app is started on a backlog of {@link #warmupPasses} passes over the records (group join, the
     * JIT compiling Kafka's, Streams' and our code, kernels per shape: the bare model's warm-up pass does
     * the same for it) and keeps running; then each of {@link #rounds} rounds times a bare-model pass and
     * an app pass. An app pass is the records under new ids, committed to the input topic in one
     * transaction, so the app (reading read_committed) meets them as a backlog, as it met the first; it
     * is timed from that commit to the last committed prediction, with the CPU both processes spent.
     */
    private static RoundRobin roundRobin(EmbeddedKafka kafka, ApicurioRegistry server, SchemaRegistryClient registry,
            TestModels models, List<BareSetup> bareSetups, List<TokenizedReview> reviews, int batch) throws Exception {
        String name = "b" + batch;
        kafka.createTopics(partitions, "in-" + name, "out-" + name);
        KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, "in-" + name, copies(reviews, warmupPasses, "warm"));
        List<Double> bareRates = new ArrayList<>();
        List<Double> throughRates = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        int extra = 0;
        Bare bestBare = null;
        Through bestThrough = null;
        var serializer = new dev.sentiflow.schemas.serde.AvroSerializer<TokenizedReview>(registry,
                TokenizedReview.getClassSchema(), true, false);
        try (var consumer = KafkaChecks.predictionsConsumer(kafka.bootstrapServers(), registry);
             var feed = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
                     "bootstrap.servers", kafka.bootstrapServers(), "transactional.id", "bench-feed-" + name),
                     new org.apache.kafka.common.serialization.ByteArraySerializer(),
                     new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            assignAll(consumer, "out-" + name);
            feed.initTransactions();
            InferenceService app = InferenceService.start(new InferenceConfig(settings(kafka, server, name, batch)));
            try {
                long begin = System.nanoTime();
                awaitPredictions(consumer, (long) warmupPasses * reviews.size());
                System.out.printf(Locale.ROOT, "  (batch %d: %d warm-up pass(es) scored %.1f s after the start)%n", batch,
                        warmupPasses, (System.nanoTime() - begin) / 1e9);
                extra = warmUntilCompiled(kafka, consumer, feed, serializer, "in-" + name, reviews);
                System.out.printf(Locale.ROOT, extra < MAX_COMPILE_PASSES
                        ? "  (then %d pass(es) more until the JIT compilers of this JVM and the broker spent under "
                                + "%.2f ms per record of a pass, %.0f s after the start)%n"
                        : "  (then %d pass(es) more, and the JIT compilers of this JVM and the broker still spent "
                                + "%.2f ms per record or more of a pass, %.0f s after the start: the rounds below "
                                + "include compiling)%n", extra, SETTLED_COMPILER_MS,
                        (System.nanoTime() - begin) / 1e9);
                idleCpu(kafka);
                for (int round = 0; round < rounds; round++) {
                    Bare alone = null;
                    for (BareSetup setup : bareSetups) {
                        Bare b = bareModel(models, setup, reviews, batch);
                        System.out.printf(Locale.ROOT, "  round%d, bare model %s (%d caller(s), %d run(s) at once): "
                                + "%.1f records/s%n", round, setup.name(), setup.callers(), setup.parallel().width(),
                                b.recordsPerSecond());
                        alone = alone == null || b.recordsPerSecond() > alone.recordsPerSecond() ? b : alone;
                    }
                    bareRates.add(alone.recordsPerSecond());
                    if (bestBare == null || alone.recordsPerSecond() > bestBare.recordsPerSecond()) {
                        bestBare = alone;
                    }
                    Through through = timedPass(kafka, consumer, feed, serializer, "in-" + name, reviews, "round" + round,
                            true);
                    throughRates.add(through.recordsPerSecond());
                    ratios.add(through.recordsPerSecond() / alone.recordsPerSecond());
                    if (bestThrough == null || through.recordsPerSecond() > bestThrough.recordsPerSecond()) {
                        bestThrough = through;
                    }
                }
            } finally {
                app.close();
            }
        }
        String changelog = "bench-" + name + "-" + InferenceTopology.PENDING_STORE + "-changelog";
        long[] written = changelogRecords(kafka.bootstrapServers(), changelog);
        long scored = (long) (warmupPasses + extra + rounds) * reviews.size();
        System.out.printf(Locale.ROOT, "  pending store's changelog: %d records with a value, %d tombstones for %d "
                + "records scored (%.2f changelog records per record)%n", written[0], written[1], scored,
                (written[0] + written[1]) / (double) scored);
        List<Double> sorted = ratios.stream().sorted().toList();
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        return new RoundRobin(bestBare, bestThrough, rates(bareRates), rates(throughRates),
                ratios.stream().map(r -> String.format(Locale.ROOT, "%.0f%%", 100 * r))
                        .collect(java.util.stream.Collectors.joining(" / ")), median);
    }

    /** Compiler CPU per record of a pass under which the JIT counts as settled. */
    private static final double SETTLED_COMPILER_MS = 0.1;
    /** Most passes the warm-up adds to wait for the JIT. */
    private static final int MAX_COMPILE_PASSES = 40;

    /**
     * Passes over the records, one at a time, until the JIT compiler threads of this JVM and of the broker
     * spend under {@link #SETTLED_COMPILER_MS} per record of a pass (at most {@link #MAX_COMPILE_PASSES}):
     * a long-running app and broker have compiled their code, and compiling it took up to 2 ms of CPU per
     * record here after two passes, a fifth of a pass's CPU on both sides. Returns the passes it took.
     */
    private static int warmUntilCompiled(EmbeddedKafka kafka, org.apache.kafka.clients.consumer.KafkaConsumer<String,
            Prediction> consumer, org.apache.kafka.clients.producer.Producer<byte[], byte[]> feed,
            dev.sentiflow.schemas.serde.AvroSerializer<TokenizedReview> serializer, String topic,
            List<TokenizedReview> reviews) {
        for (int pass = 1; pass < MAX_COMPILE_PASSES; pass++) {
            Through t = timedPass(kafka, consumer, feed, serializer, topic, reviews, "settle" + pass, false);
            if (t.compilerMsPerRecord() < SETTLED_COMPILER_MS) {
                return pass;
            }
        }
        timedPass(kafka, consumer, feed, serializer, topic, reviews, "settle" + MAX_COMPILE_PASSES, false);
        return MAX_COMPILE_PASSES; // not settled
    }

    /**
     * One pass of the records under new ids, committed to the input in one transaction (the app meets
     * them as a backlog), timed from that commit to the last committed prediction, with the CPU both
     * processes spent and, with {@code print}, the threads that spent it.
     */
    private static Through timedPass(EmbeddedKafka kafka, org.apache.kafka.clients.consumer.KafkaConsumer<String,
            Prediction> consumer, org.apache.kafka.clients.producer.Producer<byte[], byte[]> feed,
            dev.sentiflow.schemas.serde.AvroSerializer<TokenizedReview> serializer, String topic,
            List<TokenizedReview> reviews, String tag, boolean print) {
        feed.beginTransaction();
        for (TokenizedReview r : copies(reviews, 1, tag)) {
            send(feed, serializer, topic, r);
        }
        // Threads read before the commit, outside the timed span (reading /proc takes a few ms).
        ThreadCpu jvmThreads = ThreadCpu.of(ProcessHandle.current().pid());
        Optional<ThreadCpu> brokerThreads = kafka.processId().map(ThreadCpu::of);
        feed.commitTransaction();
        long from = System.nanoTime();
        double jvmCpu = -cpuSeconds();
        double brokerCpu = -brokerCpuSeconds(kafka);
        awaitPredictions(consumer, reviews.size());
        double seconds = (System.nanoTime() - from) / 1e9;
        jvmCpu += cpuSeconds();
        brokerCpu += brokerCpuSeconds(kafka);
        ThreadCpu jvmAfter = ThreadCpu.of(ProcessHandle.current().pid());
        Optional<ThreadCpu> brokerAfter = kafka.processId().map(ThreadCpu::of);
        double compiler = jvmAfter.compilerMsPerRecord(jvmThreads, reviews.size()) + brokerAfter.map(
                a -> a.compilerMsPerRecord(brokerThreads.orElseThrow(), reviews.size())).orElse(0.0);
        if (print) {
            System.out.printf(Locale.ROOT, "  %s, CPU ms per record by thread: this JVM: %s%n", tag,
                    jvmAfter.since(jvmThreads, reviews.size(), 6));
            brokerAfter.ifPresent(a -> System.out.printf(Locale.ROOT, "    the broker: %s%n",
                    a.since(brokerThreads.orElseThrow(), reviews.size(), 6)));
        }
        return new Through(reviews.size() / seconds, jvmCpu / reviews.size() * 1000,
                Double.isNaN(brokerCpu) ? -1 : brokerCpu / reviews.size() * 1000, compiler);
    }

    /** What this JVM (the app idle, its stream thread polling) and the broker spend with no records to score. */
    private static void idleCpu(EmbeddedKafka kafka) throws InterruptedException {
        double jvm = -cpuSeconds();
        double broker = -brokerCpuSeconds(kafka);
        long begin = System.nanoTime();
        Thread.sleep(5000);
        double seconds = (System.nanoTime() - begin) / 1e9;
        jvm += cpuSeconds();
        broker += brokerCpuSeconds(kafka);
        System.out.printf(Locale.ROOT, "  idle, CPU ms per second: this JVM (the app waiting) %.0f, the broker %.0f%n",
                jvm * 1000 / seconds, broker * 1000 / seconds);
    }

    /** One review to {@code topic}, keyed by its id. */
    private static void send(org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer,
            dev.sentiflow.schemas.serde.AvroSerializer<TokenizedReview> serializer, String topic, TokenizedReview r) {
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
                r.getId().getBytes(java.nio.charset.StandardCharsets.UTF_8), serializer.serialize(topic, r)));
    }

    /** The reviews {@code times} over, each copy under ids of its own. */
    private static List<TokenizedReview> copies(List<TokenizedReview> reviews, int times, String tag) {
        List<TokenizedReview> out = new ArrayList<>(reviews.size() * times);
        for (int t = 0; t < times; t++) {
            String suffix = "-" + tag + t;
            reviews.forEach(r -> out.add(TokenizedReview.newBuilder(r).setId(r.getId() + suffix).build()));
        }
        return out;
    }

    /** Polls until {@code count} more predictions have been read (10 minutes at most). */
    private static void awaitPredictions(org.apache.kafka.clients.consumer.KafkaConsumer<String, Prediction> consumer,
            long count) {
        long seen = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (seen < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + seen + " of " + count + " predictions in 10 minutes");
            }
            seen += consumer.poll(Duration.ofMillis(20)).count();
        }
    }

    private static String rates(List<Double> rates) {
        return rates.stream().map(r -> String.format(Locale.ROOT, "%.1f", r))
                .collect(java.util.stream.Collectors.joining(" / "));
    }

    /** Committed records of a changelog topic: {with a value, tombstones}. */
    private static long[] changelogRecords(String bootstrap, String topic) {
        long[] counts = new long[2];
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of(
                "bootstrap.servers", bootstrap, "isolation.level", "read_committed", "enable.auto.commit", "false"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            Duration timeout = Duration.ofSeconds(60);
            ReadToEnd.read(consumer, topic, timeout, r -> {
                counts[r.value() == null ? 1 : 0]++;
                return true;
            }).recordsOrThrow(topic, timeout);
        }
        return counts;
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
        kafka.createTopics(partitions, "in-" + name, "out-" + name);
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        // Each latency split in two: sent -> scored (arrival, batching, the model) and scored -> seen
        // (the transaction's commit and a read_committed fetch).
        List<Long> toScored = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> toSeen = java.util.Collections.synchronizedList(new ArrayList<>());
        // The records sent before v2 is published: the steady state, without the swap's model load on the CPU.
        List<Long> steady = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger beforeSwap = new java.util.concurrent.atomic.AtomicInteger(
                Integer.MAX_VALUE);
        AtomicLong warmSeen = new AtomicLong();
        AtomicLong firstV2 = new AtomicLong(-1);
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, String> appSettings = settings(kafka, server, name, 32);
        int opsPort = dev.sentiflow.testkit.FreePort.find();
        appSettings.put("metrics.port", String.valueOf(opsPort));
        appSettings.put("metrics.host", "127.0.0.1");
        InferenceService app = InferenceService.start(new InferenceConfig(appSettings));
        dev.sentiflow.testkit.PrometheusText beforeRun;
        dev.sentiflow.testkit.PrometheusText afterRun;
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
                        if (Integer.parseInt(p.getId().substring("lat-".length())) < beforeSwap.get()) {
                            steady.add(now - p.getEventTime().toEpochMilli());
                        }
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
            // Timed from a running, warmed-up app: a record sent while it still joins its group, or while the
            // JIT compiles its code, would count that. The warm-up streams at the same rate, for a third of the run.
            long warmBegin = System.nanoTime();
            long warmEnd = warmBegin + length.toNanos() / 3;
            int warm = 0;
            while (System.nanoTime() < warmEnd) {
                long wait = warmBegin + (long) (warm * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                TokenizedReview r = TokenizedReview.newBuilder(reviews.get(warm % reviews.size())).setId("warm-" + warm)
                        .setEventTime(Instant.now()).build();
                send(producer, serializer, "in-" + name, r);
                warm++;
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
            beforeRun = dev.sentiflow.testkit.PrometheusText.scrape(opsPort);
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
                send(producer, serializer, "in-" + name, r);
                sent++;
                if (swapCommitted < 0 && System.nanoTime() > half) {
                    beforeSwap.set(sent);
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
            afterRun = dev.sentiflow.testkit.PrometheusText.scrape(opsPort);
        } finally {
            app.close();
        }
        // The app's own batches in the timed run: #28's bound, max wait + 2 x batch time, with the batch
        // time the app had (its threads, its batch sizes), beside the one from the bare model's batch of 32.
        double batches = delta(beforeRun, afterRun, "sentiflow_inference_batch_seconds_count");
        double meanBatchMs = 1000 * delta(beforeRun, afterRun, "sentiflow_inference_batch_seconds_sum") / batches;
        double meanRows = delta(beforeRun, afterRun, "sentiflow_inference_batch_size_records_sum") / batches;
        double longestMs = 1000 * bucketAtMost(beforeRun, afterRun, "sentiflow_inference_batch_seconds_bucket", 1.0);
        double p99BatchMs = 1000 * bucketAtMost(beforeRun, afterRun, "sentiflow_inference_batch_seconds_bucket", 0.99);
        long maxWaitMs = Long.parseLong(appSettings.getOrDefault(InferenceConfig.BATCH_MAX_WAIT_MS, "50"));
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        double p50 = percentile(sorted, 0.5);
        double p99 = percentile(sorted, 0.99);
        long[] scoredPart = toScored.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] seenPart = toSeen.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] steadySorted = steady.stream().mapToLong(Long::longValue).sorted().toArray();
        double swapMs = firstV2.get() < 0 ? Double.NaN : (firstV2.get() - swapCommitted) / 1e6;
        System.out.printf(Locale.ROOT, "latency at %.0f records/s (half the batch-32 maximum): p50 %.0f ms, p99 %.0f ms "
                + "over %d predictions of %d sent%n", rate, p50, p99, sorted.length, sent);
        System.out.printf(Locale.ROOT, "  of which sent -> scored p50 %.0f / p99 %.0f ms, scored -> seen (commit, "
                + "read_committed fetch) p50 %.0f / p99 %.0f ms%n", percentile(scoredPart, 0.5),
                percentile(scoredPart, 0.99), percentile(seenPart, 0.5), percentile(seenPart, 0.99));
        System.out.printf(Locale.ROOT, "  before the swap (%d predictions, no model loading beside them): p50 %.0f / "
                + "p99 %.0f ms%n", steadySorted.length, percentile(steadySorted, 0.5), percentile(steadySorted, 0.99));
        System.out.printf(Locale.ROOT, "  the app's batches in the timed run: %.0f, mean %.1f records in %.1f ms, p99 "
                + "<= %.0f ms, the longest <= %.0f ms (histogram buckets); max wait + 2 x longest = %.0f ms%n", batches,
                meanRows, meanBatchMs, p99BatchMs, longestMs, maxWaitMs + 2 * longestMs);
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
        out.put("before_swap_p50_ms", percentile(steadySorted, 0.5));
        out.put("before_swap_p99_ms", percentile(steadySorted, 0.99));
        out.put("app_batches", batches);
        out.put("app_batch_mean_records", meanRows);
        out.put("app_batch_mean_ms", meanBatchMs);
        out.put("app_batch_p99_at_most_ms", p99BatchMs);
        out.put("app_batch_longest_at_most_ms", longestMs);
        out.put("bound_from_app_batches_ms", maxWaitMs + 2 * longestMs);
        out.put("predictions", sorted.length);
        out.put("sent", sent);
        out.put("swap_commit_to_first_prediction_ms", swapMs);
        return out;
    }

    private static double delta(dev.sentiflow.testkit.PrometheusText before, dev.sentiflow.testkit.PrometheusText after,
            String name) {
        return after.sum(name, Map.of()).orElse(0.0) - before.sum(name, Map.of()).orElse(0.0);
    }

    /**
     * The upper bound of the histogram bucket holding quantile {@code q} of what was recorded between
     * two scrapes (Prometheus buckets are cumulative: the first {@code le} whose count reaches it).
     */
    private static double bucketAtMost(dev.sentiflow.testkit.PrometheusText before,
            dev.sentiflow.testkit.PrometheusText after, String name, double q) {
        Map<Double, Double> counts = new java.util.TreeMap<>();
        for (var sample : after.samples(name, Map.of())) {
            String bound = sample.labels().get("le");
            double le = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            double was = before.samples(name, Map.of("le", bound)).stream()
                    .mapToDouble(dev.sentiflow.testkit.PrometheusText.Sample::value).sum();
            counts.put(le, sample.value() - was);
        }
        double total = counts.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return counts.entrySet().stream().filter(e -> e.getValue() >= q * total).map(Map.Entry::getKey)
                .findFirst().orElse(Double.NaN);
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
            // takes, longest take, longest take overlapping a swap, takes over 10 us, takes overlapping a swap
            long[] stats = new long[5];
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
                            stats[4]++;
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
            // A swap is one reference write: most are over before a take can see the flag, hence the count.
            System.out.printf(Locale.ROOT, "swap pause: %d swaps under %,d batch takes: %d takes overlapped a swap, the "
                    + "longest %.1f us; longest take of all %.1f us; %d takes over 10 us%n", swaps, stats[0], stats[4],
                    duringUs, maxUs, stats[3]);
            return Map.of("swaps", swaps, "takes", stats[0], "takes_during_swaps", stats[4], "during_swap_max_us",
                    duringUs, "max_us", maxUs, "takes_over_10us", stats[3]);
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
