package dev.sentiflow.deploy.report;

import dev.sentiflow.deploy.local.ChildProcesses;
import dev.sentiflow.deploy.local.TestSplitEvaluator;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/** Writes the report page to a file, and the one call {@code pipeline local} makes at its end. */
public final class ReportFile {

    /** The report's name in a work folder. */
    public static final String NAME = "report.html";
    private static final Duration AT_END_TIMEOUT = Duration.ofSeconds(60);

    private ReportFile() {
    }

    /** Renders {@code data} to {@code file} (whole or not at all: a temporary file moved into place). */
    public static Path write(ReportData data, Path file) {
        Path target = file.toAbsolutePath().normalize();
        try {
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.writeString(temp, ReportPage.render(data), StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + target + ": " + e.getMessage(), e);
        }
    }

    /** One line saying what the report holds, e.g. {@code 3 rounds (2 published), 7,965 predictions}. */
    public static String summary(ReportData data) {
        long published = data.rounds().stream().filter(RoundOutcome::published).count();
        return String.format(Locale.ROOT, "%d round(s) (%d published), %,d predictions (%,d labeled)%s",
                data.rounds().size(), published, data.predictions(), data.labeledPredictions(),
                data.notes().isEmpty() ? "" : "; " + data.notes().size() + " note(s) in it");
    }

    /**
     * {@code pipeline local}'s end: collects from the still-running stack and writes
     * {@code <workdir>/report.html}, printing {@code local: report PATH}. Never fails the run: a
     * stack that lost a child or is being stopped by Ctrl-C gets a line saying how to write the
     * report later instead.
     */
    public static void writeAtEnd(Map<String, Object> client, String registryUrl, Path workdir,
            ChildProcesses children, PrintStream out) {
        String later = "./pipeline report --workdir " + workdir + " writes it";
        if (children.firstDeath().isDone()) {
            out.println("local: no report (a child died); " + later);
            return;
        }
        if (shuttingDown()) {
            out.println("local: no report while stopping on Ctrl-C; " + later);
            return;
        }
        try {
            ReportData data = new ReportCollector(client, new SchemaRegistryClient(registryUrl),
                    String.valueOf(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)), AT_END_TIMEOUT).collect()
                    .withTest(TestScores.read(workdir.resolve(TestSplitEvaluator.SCORES_FILE)));
            Path file = write(data, workdir.resolve(NAME));
            out.println("local: report " + file + "  (" + summary(data) + ")");
        } catch (RuntimeException e) {
            out.println("local: no report (" + e.getMessage() + "); " + later);
        }
    }

    /** Whether the JVM is already running its shutdown hooks (Ctrl-C, SIGTERM): then children are stopping. */
    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
