package dev.sentiflow.deploy.report;

import dev.sentiflow.deploy.cli.ClientSettings;
import dev.sentiflow.deploy.cli.DurationConverter;
import dev.sentiflow.deploy.cli.RegistryOption;
import dev.sentiflow.deploy.local.ReopenedStack;
import dev.sentiflow.deploy.local.TestSplitEvaluator;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pipeline report}: one self-contained HTML page (loss curves per round, held-out and live
 * scores by version and domain, the serving version's confusion matrix, throughput and latency over
 * time, the gate's decisions) from the pipeline's topics. For a finished local work folder it starts
 * that folder's broker and registry on their data, reads, and stops them; with {@code --config} (or
 * {@code --bootstrap-servers}) it reads a running cluster instead. Prints the page's path.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write one self-contained HTML report (loss curves, scores by version and domain, confusion "
                + "matrix, throughput and latency, gate decisions) from the pipeline's topics.",
                "Default: a finished ./pipeline local work folder (its broker and registry are started on their data "
                        + "and stopped again); --config FILE.properties reads a running cluster."})
public final class ReportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--workdir", paramLabel = "DIR",
            description = "A finished ./pipeline local work folder (default: runs/local).")
    private Path workdir;

    @Mixin
    private ClientSettings client;

    @Mixin
    private RegistryOption registryOption;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write the page (default: <workdir>/" + ReportFile.NAME + ", or ./"
                    + ReportFile.NAME + " with --config).")
    private Path out;

    @Option(names = "--test-scores", paramLabel = "FILE",
            description = "Scores of every version on one test file, kept by ./pipeline evaluate --out FILE: the "
                    + "report's first chart (default: <workdir>/" + TestSplitEvaluator.SCORES_FILE + " for a local work "
                    + "folder, none with --config).")
    private Path testScores;

    @Option(names = "--timeout", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "2m",
            description = "Longest read of one topic; the report then shows what was read (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        if (client.given() && workdir != null) {
            throw new ParameterException(spec.commandLine(), "--workdir reads a finished local stack, --config/"
                    + "--bootstrap-servers a running cluster: give one of them");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--timeout must be positive, got " + timeout);
        }
        if (client.given()) {
            Path file = out != null ? out : Path.of(ReportFile.NAME);
            ReportData data = new ReportCollector(client.kafka(), client.registryClient(registryOption),
                    client.bootstrap(), timeout).collect();
            return written(stdout, data.withTest(testScores(null)), file);
        }
        Path dir = workdir != null ? workdir : Path.of("runs/local");
        String problem = ReopenedStack.problem(dir);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        Path file = out != null ? out : dir.resolve(ReportFile.NAME);
        ReportData data;
        try (ReopenedStack stack = ReopenedStack.open(dir, System.out)) {
            Map<String, Object> settings = new HashMap<>();
            settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            data = new ReportCollector(settings, new SchemaRegistryClient(stack.registryUrl()),
                    "local stack " + dir.toAbsolutePath().normalize(), timeout).collect();
        }
        return written(stdout, data.withTest(testScores(dir)), file);
    }

    /** The given scores file (which must exist), or the work folder's when there is one. */
    private TestScores testScores(Path workFolder) {
        if (testScores != null) {
            if (!java.nio.file.Files.isRegularFile(testScores)) {
                throw new ParameterException(spec.commandLine(), "--test-scores: no file " + testScores);
            }
            return TestScores.read(testScores);
        }
        return workFolder == null ? TestScores.NONE : TestScores.read(workFolder.resolve(TestSplitEvaluator.SCORES_FILE));
    }

    private static int written(PrintWriter stdout, ReportData data, Path file) {
        Path written = ReportFile.write(data, file);
        stdout.println("report: " + written + "  (" + ReportFile.summary(data) + ")");
        stdout.flush();
        return 0;
    }
}
