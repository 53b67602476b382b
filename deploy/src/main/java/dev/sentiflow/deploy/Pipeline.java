package dev.sentiflow.deploy;

import dev.sentiflow.deploy.local.LocalCommand;
import dev.sentiflow.deploy.report.ReportCommand;
import dev.sentiflow.deploy.service.ServiceCommand;
import dev.sentiflow.deploy.service.ServiceMain;
import dev.sentiflow.deploy.tail.TailCommand;
import dev.sentiflow.deploy.topics.TopicsCommand;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The one launcher: {@code ./pipeline COMMAND [options]}. {@code local} runs the whole pipeline on
 * this machine; the service commands ({@code ingest}, {@code trainer}, {@code inference}) and tools
 * ({@code produce}, {@code predict}, {@code finetune}) hand their arguments to the module's own main;
 * {@code topics}, {@code tail} and {@code report} are the operator's view of a cluster.
 *
 * <p>Exit status: 0 done, 1 the command failed (it says why), 2 bad arguments (picocli names the
 * option). {@code pipeline --help} and {@code pipeline COMMAND --help} list the options.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true, version = "sentiflow 0.1.0-SNAPSHOT",
        description = "Streaming fine-tuning and inference for BERT text classifiers on Kafka.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run ./pipeline COMMAND --help for a command's options."})
public final class Pipeline implements Runnable {

    @Spec
    private CommandSpec spec;

    /** Without a command: the overview, as {@code --help} prints it. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command tree, with the service commands so the caller can ask whether one took over. */
    public record Launcher(CommandLine commandLine, List<ServiceCommand> services) {

        public boolean handedOver() {
            return services.stream().anyMatch(ServiceCommand::handedOver);
        }
    }

    public static Launcher launcher() {
        CommandLine line = new CommandLine(new Pipeline());
        // An argument like @ids.txt is data for a service, not a picocli argument file.
        line.setExpandAtFiles(false);
        // A command that fails says why in one line; a stack trace is for bugs, not for a missing broker.
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("pipeline " + cmd.getCommandName() + ": " + dev.sentiflow.schemas.failure.FailureMessage.of(e));
            return 1;
        });
        line.addSubcommand(new LocalCommand());
        List<ServiceCommand> services = new ArrayList<>();
        for (ServiceMain service : List.of(ServiceMain.INGEST, ServiceMain.TRAINER, ServiceMain.INFERENCE,
                ServiceMain.PRODUCE, ServiceMain.PREDICT, ServiceMain.EVALUATE, ServiceMain.FINETUNE)) {
            CommandLine sub = ServiceCommand.of(service);
            services.add(sub.getCommand());
            line.addSubcommand(service.command(), sub);
        }
        line.addSubcommand(new TailCommand());
        line.addSubcommand(new TopicsCommand());
        line.addSubcommand(new ReportCommand());
        line.addSubcommand(new CommandLine.HelpCommand());
        return new Launcher(line, services);
    }

    public static void main(String[] args) {
        Launcher launcher = launcher();
        int code = launcher.commandLine().execute(args);
        // A service's main may return with its own threads still at work (a Streams app it started):
        // then those threads, not this one, decide when the JVM ends.
        if (code != 0 || !launcher.handedOver()) {
            System.exit(code);
        }
    }
}
