package dev.sentiflow.inference;

import dev.sentiflow.schemas.config.ConfigSources;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;

/**
 * The inference service: {@code reviews.tokenized} → {@code predictions} | {@code predictions.dlq},
 * exactly once, with model versions hot-swapped from the {@code models} topic.
 *
 * <p>Run: {@code java -cp ... dev.sentiflow.inference.InferenceApp [inference.properties] [key=value ...]}
 * ({@code --help} prints every option). It logs one line per swapped or refused checkpoint and a
 * scoring summary per task every 30 s; Ctrl-C stops it cleanly.
 */
public final class InferenceApp {

    private InferenceApp() {
    }

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println("usage: inference [FILE.properties] [key=value ...]   (or SENTIFLOW_KEY_NAME=value variables)\n");
            System.out.print(dev.sentiflow.schemas.config.ConfigMarkdown.table(InferenceConfig.DEFINITION));
            return;
        }
        InferenceConfig config;
        try {
            ConfigSources.Loaded loaded = ConfigSources.load(args, System.getenv());
            config = new InferenceConfig(loaded.values(), loaded.origins());
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("inference: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        InferenceService service;
        try {
            service = InferenceService.start(config);
        } catch (IllegalStateException e) {
            System.err.println("inference: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "inference-shutdown"));
        // Ends the process (through the shutdown hook, which closes the service) when it can no longer work.
        service.failed().thenAcceptAsync(reason -> {
            System.err.println("inference: " + reason);
            System.exit(1);
        });
        stopped.await();
    }
}
