package dev.sentiflow.deploy.service;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A subcommand that hands every argument, {@code --help} included, to a {@link ServiceMain}'s own
 * {@code main} in this JVM: the service parses and documents its options itself, so they are
 * declared once, there.
 */
@Command(description = "%n(Its own options follow; run it with --help to list them.)")
public final class ServiceCommand implements Callable<Integer> {

    private final ServiceMain service;
    private boolean handedOver;

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "ARG", description = "Passed to the service unchanged.")
    private List<String> args = new ArrayList<>();

    private ServiceCommand(ServiceMain service) {
        this.service = service;
    }

    /** The picocli subcommand for a service: no options of its own, so every argument passes through. */
    public static CommandLine of(ServiceMain service) {
        CommandLine line = new CommandLine(new ServiceCommand(service));
        line.setUnmatchedOptionsArePositionalParams(true);
        line.getCommandSpec().name(service.command());
        String[] rest = line.getCommandSpec().usageMessage().description();
        String[] description = new String[rest.length + 1];
        description[0] = service.description();
        System.arraycopy(rest, 0, description, 1, rest.length);
        line.getCommandSpec().usageMessage().description(description);
        return line;
    }

    /**
     * Whether the service's main ran and returned: then its own threads (a Streams app it started)
     * decide when the JVM ends, not the launcher.
     */
    public boolean handedOver() {
        return handedOver;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        var mainClass = service.load();
        if (mainClass.isEmpty()) {
            err.println("pipeline: " + service.notBuiltMessage());
            return 1;
        }
        service.quietLoggers().forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
        Method main = mainClass.get().getMethod("main", String[].class);
        try {
            handedOver = true;
            main.invoke(null, (Object) args.toArray(String[]::new));
            return 0;
        } catch (InvocationTargetException e) {
            handedOver = false;
            // What `java MainClass` would have printed for an exception out of main.
            err.print("pipeline: " + service.command() + " failed: ");
            e.getCause().printStackTrace(err);
            err.flush();
            return 1;
        }
    }
}
