package dev.sentiflow.deploy.local;

import dev.sentiflow.deploy.cli.DurationConverter;
import dev.sentiflow.deploy.topics.PipelineTopics;
import dev.sentiflow.deploy.topics.TopicOutcome;
import dev.sentiflow.deploy.topics.TopicSetup;
import dev.sentiflow.deploy.service.ServiceMain;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.config.ConfigSources;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.trainer.config.TrainerConfig;
import dev.sentiflow.trainer.split.EvalSplit;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pipeline local}: the whole pipeline on this machine, from nothing but the JDK and the
 * Maven-resolved jars. Starts a broker and a registry (child processes), creates the topics, starts
 * the services that are built as child JVMs, streams the bundled reviews into {@code reviews}, and
 * prints a status line every few seconds until Ctrl-C, {@code --duration}, {@code --until-version}, or a child dying (then
 * it says which, with its last log lines, and stops the rest). Logs: {@code <workdir>/logs}.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on this machine: broker, registry, topics, the services that are "
                + "built, and the bundled reviews streamed in.",
                "A second run on the same --workdir continues with its topics, offsets and schema ids."})
public final class LocalCommand implements java.util.concurrent.Callable<Integer> {

    private static final Duration GRACE = Duration.ofSeconds(30);
    /** At the end, how long the scoring of the last swapped versions on the test split may still take. */
    private static final Duration TEST_SPLIT_WAIT = Duration.ofMinutes(3);

    @Spec
    private CommandSpec spec;

    @Option(names = "--workdir", paramLabel = "DIR", defaultValue = "runs/local",
            description = "Broker data, registry database, state and logs (default: ${DEFAULT-VALUE}).")
    private Path workdir;

    @Option(names = "--fresh", description = "Wipe the work folder first.")
    private boolean fresh;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 90s, 5m, 1h (default: until Ctrl-C).")
    private Duration duration;

    @Option(names = "--until-version", paramLabel = "N",
            description = "Also stop once inference serves version N (or a later one) of a model and has reported its "
                    + "live accuracy (or no more reviews are coming), e.g. 2 for a first hot swap; a continued run that "
                    + "already serves it stops as soon as it has (default: no such end).")
    private Long untilVersion;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "20",
            description = "Reviews sent per second (default: ${DEFAULT-VALUE}).")
    private double rate;

    @Option(names = "--once",
            description = "Send the bundled reviews once, then nothing (default: once all are sent, send them again "
                    + "under fresh ids, pass after pass, so every version published later scores live traffic).")
    private boolean once;

    @Option(names = "--reviews", paramLabel = "N",
            description = "Stream N of the bundled reviews, spread evenly over the set, in each pass; fewer make "
                    + "later passes (and so the repeats) come sooner (default: all). The test split stays whole.")
    private Integer reviews;

    @Option(names = "--labeled-share", paramLabel = "F", defaultValue = "0.5",
            description = "Share of streamed reviews that keep their label; the rest are sent unlabeled "
                    + "(default: ${DEFAULT-VALUE}).")
    private double labeledShare;

    @Option(names = "--data", paramLabel = "SET", defaultValue = "uci",
            description = "Bundled reviews to stream: uci (UCI sentences; its stable-hash 20%% test split is never "
                    + "streamed), finefoods (its train file) or both (default: ${DEFAULT-VALUE}).")
    private String data;

    @Option(names = "--set", paramLabel = "SERVICE.KEY=VALUE",
            description = "A setting for one service, replacing the local default; repeatable, e.g. "
                    + "--set trainer.round.size=200 --set trainer.base.model=minilm@2layers.")
    private List<String> settings = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        validate();
        Map<String, Map<String, String>> overrides;
        try {
            overrides = ServiceSettingOverrides.parse(settings);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream out = System.out;
        List<BundledData> sets = dataSets(dataDir());
        for (BundledData set : sets) {
            if (!java.nio.file.Files.isReadable(set.file())) {
                throw new IllegalStateException("bundled reviews " + set.file() + " not found: run from the project "
                        + "folder, or through ./pipeline");
            }
        }
        WorkFolder folder = WorkFolder.open(workdir, fresh);
        ReviewStreamer.Selection selection = ReviewStreamer.select(sets, new StreamPlan(labeledShare));
        if (reviews != null) {
            selection = selection.spreadOver(reviews);
        }
        out.println("local: work folder " + folder.root() + (folder.continued() ? " (continuing its earlier run)" : ""));
        List<String> ignored = System.getenv().keySet().stream().filter(ConfigSources::isOptionVariable).sorted().toList();
        if (!ignored.isEmpty()) {
            out.println("local: not passing " + String.join(", ", ignored) + " from this shell to the stack's services "
                    + "(they set options for a real cluster); use --set SERVICE.KEY=VALUE for the local stack");
        }

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch cleanedUp = new CountDownLatch(1);
        Thread ctrlC = new Thread(() -> {
            stop.countDown();
            try {
                cleanedUp.await(GRACE.toSeconds() * 3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "local-ctrl-c");
        Runtime.getRuntime().addShutdownHook(ctrlC);
        ChildProcesses children = new ChildProcesses(folder.logs(), GRACE, death -> stop.countDown());
        ReviewStreamer streamer = null;
        StatusMonitor monitor = null;
        TestSplitEvaluator testSplit = null;
        try {
            long begin = System.nanoTime();
            CompletableFuture<LocalRegistry> registryStart = CompletableFuture.supplyAsync(
                    () -> LocalRegistry.start(children, folder.root()));
            LocalKafka kafka = LocalKafka.start(children, folder.root());
            out.printf(Locale.ROOT, "local: broker %s ready in %.1f s%s%n", kafka.bootstrapServers(), seconds(begin),
                    kafka.reused() ? " (existing data)" : " (formatted)");
            LocalRegistry registry = join(registryStart);
            out.printf(Locale.ROOT, "local: registry %s ready in %.1f s%n", registry.url(), seconds(begin));

            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                for (TopicOutcome outcome : new TopicSetup(admin).apply(
                        PipelineTopics.plan(PipelineTopics.DEFAULT_DATA_PARTITIONS, Optional.of((short) 1)))) {
                    if (outcome.created() || !outcome.differences().isEmpty()) {
                        out.println("local: topic " + outcome.topic() + (outcome.created() ? " created"
                                : " differs from the plan: " + String.join("; ", outcome.differences())));
                    }
                }
            }
            Path clientFile = folder.writeClientProperties(kafka.bootstrapServers(), registry.url());

            var endpoints = new LocalServices.Endpoints(kafka.bootstrapServers(), registry.url(), folder.root(),
                    folder.signingKey());
            for (LocalServices.Service service : LocalServices.all(endpoints, overrides)) {
                if (service.main() == ServiceMain.INFERENCE && !selection.heldOut().isEmpty()) {
                    testSplit = new TestSplitEvaluator(children, folder.root(), selection.heldOut(), service.args(),
                            folder.signingKey(), out);
                }
                if (!service.main().isBuilt()) {
                    out.println("local: " + service.main().notBuiltMessage() + "; running without it");
                    continue;
                }
                var child = children.start(service.main().command(), service.command(), null, service.env());
                out.println("local: " + service.main().command() + " started (pid " + child.pid() + ", log "
                        + child.log() + (service.metricsPort() == 0 ? "" : ", metrics http://127.0.0.1:"
                        + service.metricsPort() + "/metrics, probes /health/live and /health/ready") + ")");
            }

            streamer = new ReviewStreamer(client, new SchemaRegistryClient(registry.url()), selection.reviews(), rate,
                    once ? Optional.empty() : Optional.of(new RepeatIds(trainerEvalSplit(overrides))),
                    reviewsOnTheTopic(client), line -> out.println("local: " + line));
            if (streamer.acked() >= streamer.total() && !once) {
                out.printf(Locale.ROOT, "local: %d reviews are on %s from the earlier run; going on with pass %d%n",
                        streamer.acked(), Topics.REVIEWS, streamer.acked() / streamer.total() + 1);
            } else if (streamer.acked() > 0) {
                out.printf(Locale.ROOT, "local: %d of the %d reviews to stream are on %s from the earlier run; sending "
                        + "the other %d%n", streamer.acked(), streamer.total(), Topics.REVIEWS,
                        streamer.total() - streamer.acked());
            }
            Thread sending = new Thread(streamer, "local-review-streamer");
            sending.setDaemon(true);
            sending.start();
            out.printf(Locale.ROOT, "local: streaming %d reviews (%s) at %s/s: %d labeled, %d unlabeled; %d held out as "
                            + "the fixed test split, never streamed; %s%n", selection.reviews().size(),
                    String.join("+", sets.stream().map(BundledData::name).toList()), trim(rate),
                    selection.counts().getOrDefault(StreamPlan.Fate.LABELED, 0),
                    selection.counts().getOrDefault(StreamPlan.Fate.UNLABELED, 0),
                    selection.counts().getOrDefault(StreamPlan.Fate.HELD_OUT, 0),
                    once ? "sent once (--once)" : "then again under fresh ids, so later versions score live traffic too");
            out.println("local: follow it with  ./pipeline tail predictions --config " + clientFile
                    + "   (or dlq, metrics, live)");
            monitor = new StatusMonitor(client, new SchemaRegistryClient(registry.url()), out, streamer,
                    folder.logs().resolve(ServiceMain.TRAINER.command() + ".log"));
            monitor.start();

            awaitEnd(stop, new ServingLogWatcher(folder.logs().resolve(ServiceMain.INFERENCE.command() + ".log")), out,
                    monitor, streamer, testSplit);
            monitor.printFinalStatus(); // where it ended, whenever the last periodic line was
            monitor.close(); // no status lines while the test split and the report finish
            if (testSplit != null && children.awaitDeath(Duration.ZERO).isEmpty()) {
                testSplit.finish(TEST_SPLIT_WAIT);
            }
            dev.sentiflow.deploy.report.ReportFile.writeAtEnd(client, registry.url(), folder.root(), children, out);
            return reportEnd(children, streamer, out);
        } catch (RuntimeException e) {
            Optional<ChildDeath> death = children.awaitDeath(Duration.ZERO);
            System.err.println("local: " + (death.isPresent() ? death.get().describe() : e.getMessage()));
            return 1;
        } finally {
            if (streamer != null) {
                streamer.stop();
            }
            if (monitor != null) {
                monitor.close();
            }
            if (testSplit != null) {
                testSplit.close();
            }
            children.close();
            folder.close();
            out.println("local: stopped (logs in " + folder.logs() + ")");
            cleanedUp.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(ctrlC);
            } catch (IllegalStateException e) {
                // Ctrl-C: the hook is what brought us here
            }
        }
    }

    private int reportEnd(ChildProcesses children, ReviewStreamer streamer, PrintStream out)
            throws InterruptedException {
        Optional<ChildDeath> death = children.awaitDeath(Duration.ZERO);
        if (death.isPresent()) {
            System.err.println("local: " + death.get().describe());
            System.err.println("local: stopped the other children because " + death.get().name() + " died");
            return 1;
        }
        if (streamer.failure() != null) {
            System.err.println("local: sending reviews failed: " + streamer.failure().getMessage());
            return 1;
        }
        return 0;
    }

    /** The trainer's evaluation split as the local trainer is configured: its default share or a --set one. */
    private static EvalSplit trainerEvalSplit(Map<String, Map<String, String>> overrides) {
        String share = overrides.getOrDefault(ServiceMain.TRAINER.command(), Map.of()).get(TrainerConfig.EVAL_SHARE);
        return share == null ? new EvalSplit() : new EvalSplit(Double.parseDouble(share));
    }

    /** Records on {@code reviews}: only this launcher writes there, in a fixed order, so it is how many it sent. */
    private static long reviewsOnTheTopic(Map<String, Object> client) throws Exception {
        try (Admin admin = Admin.create(client)) {
            return TopicEnds.of(admin, Topics.REVIEWS, Duration.ofSeconds(30)).values().stream()
                    .mapToLong(Long::longValue).sum();
        }
    }

    private void validate() {
        if (!(rate > 0)) {
            throw new ParameterException(spec.commandLine(), "--rate must be above 0, got " + trim(rate));
        }
        if (!(labeledShare >= 0 && labeledShare <= 1)) {
            throw new ParameterException(spec.commandLine(), "--labeled-share must be in [0, 1], got " + labeledShare);
        }
        if (reviews != null && reviews < 1) {
            throw new ParameterException(spec.commandLine(), "--reviews must be at least 1, got " + reviews);
        }
        if (untilVersion != null && untilVersion < 1) {
            throw new ParameterException(spec.commandLine(), "--until-version must be at least 1, got " + untilVersion);
        }
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            throw new ParameterException(spec.commandLine(), "--duration must be positive, got " + duration);
        }
    }

    private List<BundledData> dataSets(Path dir) {
        List<BundledData> sets = new ArrayList<>();
        switch (data.toLowerCase(Locale.ROOT)) {
            case "uci" -> sets.add(BundledData.uci(dir));
            case "finefoods" -> sets.add(BundledData.finefoods(dir));
            case "both" -> {
                sets.add(BundledData.uci(dir));
                sets.add(BundledData.finefoods(dir));
            }
            default -> throw new ParameterException(spec.commandLine(),
                    "--data must be uci, finefoods or both, got '" + data + "'");
        }
        return sets;
    }

    /** The bundled {@code data/} folder: under the project ({@code ./pipeline} sets sentiflow.home), else here. */
    private static Path dataDir() {
        return Path.of(System.getProperty("sentiflow.home", ".")).resolve("data");
    }

    /** Returns on Ctrl-C or a child's death (the latch), at --duration, or once --until-version serves. */
    private void awaitEnd(CountDownLatch stop, ServingLogWatcher serving, PrintStream out, StatusMonitor monitor,
            ReviewStreamer streamer, TestSplitEvaluator testSplit) throws InterruptedException {
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                out.println("local: --duration is up; stopping");
                return;
            }
            if (stop.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                return;
            }
            for (ServingLogWatcher.Swap swap : serving.swaps()) {
                out.println("local: " + swap.sentence());
                monitor.swapped(swap.model(), swap.version());
                if (testSplit != null) {
                    testSplit.swapped(swap);
                }
            }
            // Stop once the version has live accuracy to show, or once no more traffic is coming to give it some.
            if (untilVersion != null && serving.newestServed().orElse(0) >= untilVersion
                    && (monitor.liveAccuracyOf(untilVersion) || streamer.done())) {
                out.println("local: inference serves v" + serving.newestServed().getAsLong() + (streamer.done() ? ""
                        : " and its live accuracy is in") + " (--until-version " + untilVersion + "); stopping");
                return;
            }
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
