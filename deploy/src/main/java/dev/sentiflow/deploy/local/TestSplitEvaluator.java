package dev.sentiflow.deploy.local;

import dev.sentiflow.avro.Review;
import dev.sentiflow.deploy.service.ServiceMain;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Scores each version inference starts serving on the fixed test split (the held-out rows, never
 * streamed, the same for every version), off the scoring path: one {@code evaluate} child per swap, one
 * at a time, with inference's own settings, and prints its line, e.g. {@code local: default v2 test
 * accuracy 0.9360, macro-F1 0.9350 on 605 (v1 0.9210, 0.9205)  amazon ...}. The split is written to
 * {@code <workdir>/test-split.csv}, so {@code ./pipeline evaluate} can score it again later, and the
 * scores are kept in {@code <workdir>/test-scores.json} for the report's first chart.
 */
public final class TestSplitEvaluator implements AutoCloseable {

    static final String TEST_FILE = "test-split.csv";
    static final String SETTINGS_FILE = "evaluate.properties";
    /** Where the scores are kept for the report's first chart. */
    public static final String SCORES_FILE = "test-scores.json";
    private static final Duration EACH = Duration.ofMinutes(5);

    private final ChildProcesses children;
    private final Path testFile;
    private final Path settingsFile;
    private final Path scoresFile;
    private final PrintStream out;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "local-test-split");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param inferenceSettings the inference child's settings ({@code key=value}), so the same
     *     checkpoints are accepted, plus the signing key
     */
    TestSplitEvaluator(ChildProcesses children, Path workdir, List<Review> heldOut, List<String> inferenceSettings,
            String signingKey, PrintStream out) {
        this.children = children;
        this.testFile = workdir.resolve(TEST_FILE);
        this.settingsFile = workdir.resolve(SETTINGS_FILE);
        this.scoresFile = workdir.resolve(SCORES_FILE);
        this.out = out;
        writeTestFile(testFile, heldOut);
        Properties settings = new Properties();
        for (String setting : inferenceSettings) {
            int eq = setting.indexOf('=');
            settings.setProperty(setting.substring(0, eq), setting.substring(eq + 1));
        }
        settings.setProperty("checkpoint.signing.key", signingKey);
        try {
            // It holds the signing key: readable by the owner only, as the key file is.
            Files.deleteIfExists(settingsFile);
            Files.createFile(settingsFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + settingsFile, e);
        }
        try (Writer w = Files.newBufferedWriter(settingsFile)) {
            settings.store(w, "inference's settings, for ./pipeline evaluate --models " + settingsFile + " --file "
                    + testFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + settingsFile, e);
        }
    }

    /** The CSV {@code evaluate} reads: text, label (the model's names) and domain of each held-out row. */
    static void writeTestFile(Path file, List<Review> heldOut) {
        StringBuilder csv = new StringBuilder("text,label,domain\n");
        for (Review r : heldOut) {
            csv.append(quoted(r.getText())).append(',').append(quoted(r.getLabel())).append(',')
                    .append(quoted(r.getDomain())).append('\n');
        }
        try {
            Files.writeString(file, csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String quoted(String value) {
        return "\"" + (value == null ? "" : value.replace("\"", "\"\"")) + "\"";
    }

    /** Scores the swapped-in version (beside the one it replaced, when there was one) in the background. */
    void swapped(ServingLogWatcher.Swap swap) {
        runner.submit(() -> evaluate(swap));
    }

    private void evaluate(ServingLogWatcher.Swap swap) {
        if (children.stopping()) {
            return; // the stack is going down: there is no broker to read the versions from
        }
        String versions = swap.previous().startsWith("v") ? swap.previous().substring(1) + "," + swap.version()
                : String.valueOf(swap.version());
        String name = "evaluate-" + swap.model() + "-v" + swap.version();
        List<String> args = new ArrayList<>(List.of("--models", settingsFile.toString(), "--file", testFile.toString(),
                "--model", swap.model(), "--versions", versions, "--out", scoresFile.toString()));
        try {
            int code = children.run(name, JavaCommand.of("1g", JavaCommand.ONE_TORCH_THREAD, ServiceMain.EVALUATE.mainClass(), args), EACH);
            String prefix = swap.model() + " v" + swap.version() + " test accuracy";
            List<String> lines = Files.readAllLines(children.logOf(name), StandardCharsets.UTF_8);
            // The log is appended to across runs of a continued work folder: only this run's part counts.
            int thisRun = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(ChildProcesses.START_LINE) && lines.get(i).contains(" starting " + name + ":")) {
                    thisRun = i;
                }
            }
            lines.subList(thisRun, lines.size()).stream().filter(l -> l.startsWith(prefix)).findFirst().ifPresentOrElse(
                    l -> out.println("local: " + l),
                    () -> out.println("local: could not score " + swap.model() + " v" + swap.version()
                            + " on the test split (exit " + code + "; see " + children.logOf(name) + ")"));
        } catch (IOException | RuntimeException e) {
            if (children.stopping()) {
                return;
            }
            out.println("local: could not score " + swap.model() + " v" + swap.version() + " on the test split: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code timeout} for the scoring already asked for, so every swapped version gets its line. */
    void finish(Duration timeout) throws InterruptedException {
        runner.shutdown();
        runner.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
