package dev.sentiflow.deploy.local;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "local", mixinStandardHelpOptions = true, description = "Run the whole pipeline on this machine.")
public final class LocalCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
