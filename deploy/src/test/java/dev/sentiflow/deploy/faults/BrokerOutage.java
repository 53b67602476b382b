package dev.sentiflow.deploy.faults;

import dev.sentiflow.deploy.local.ChildProcesses;
import dev.sentiflow.deploy.local.LocalKafka;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Takes the local stack's broker away and brings it back: SIGKILL to its {@code kafka.Kafka} child,
 * a wait, and a new child on the same data folder and ports. The second life runs under its own
 * {@link ChildProcesses} (a set whose child died stops the rest and starts nothing more); close it.
 */
final class BrokerOutage implements AutoCloseable {

    final LocalKafka kafka;
    final double awaySeconds;
    private final ChildProcesses restarted;

    private BrokerOutage(LocalKafka kafka, double awaySeconds, ChildProcesses restarted) {
        this.kafka = kafka;
        this.awaySeconds = awaySeconds;
        this.restarted = restarted;
    }

    static BrokerOutage of(LocalKafka kafka, Path workdir, Duration outage) throws InterruptedException {
        kafka.child().process().destroyForcibly().waitFor();
        long killedAt = System.nanoTime();
        Thread.sleep(outage.toMillis());
        ChildProcesses restarted = new ChildProcesses(workdir.resolve("logs-restarted"), Duration.ofSeconds(10),
                death -> { });
        try {
            LocalKafka back = LocalKafka.start(restarted, workdir);
            if (!back.reused()) {
                throw new IllegalStateException("the broker did not come back on its own data");
            }
            return new BrokerOutage(back, (System.nanoTime() - killedAt) / 1e9, restarted);
        } catch (RuntimeException | InterruptedException e) {
            restarted.close();
            throw e;
        }
    }

    @Override
    public void close() {
        restarted.close();
    }
}
