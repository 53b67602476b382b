package dev.sentiflow.deploy.topics;

import dev.sentiflow.deploy.cli.ClientSettings;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pipeline topics}: creates the pipeline's topics (see {@link PipelineTopics}), leaving existing ones alone. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = {"Create the pipeline's topics; existing ones are left alone and their differences from the "
                + "plan reported.",
                "Data topics (reviews, reviews.tokenized, reviews.dlq, predictions): --partitions, 7 days (DLQ 30). "
                + "models: 1 partition, compacted, max.message.bytes 2 MiB. training.metrics, metrics.live: "
                + "1 partition, 30 days."})
public final class TopicsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClientSettings client;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "" + PipelineTopics.DEFAULT_DATA_PARTITIONS,
            description = "Partitions of each data topic (default: ${DEFAULT-VALUE}); models and metrics topics have 1.")
    private int partitions;

    @Option(names = "--replication-factor", paramLabel = "N",
            description = "Replicas of each partition (default: the broker's default.replication.factor).")
    private Short replicationFactor;

    @Override
    public Integer call() throws Exception {
        if (partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1, got " + partitions);
        }
        if (replicationFactor != null && replicationFactor < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--replication-factor must be at least 1, got " + replicationFactor);
        }
        PrintWriter out = spec.commandLine().getOut();
        List<TopicSpec> plan = PipelineTopics.plan(partitions, Optional.ofNullable(replicationFactor));
        Map<String, Object> settings = client.kafka();
        try (Admin admin = Admin.create(settings)) {
            List<TopicOutcome> outcomes = new TopicSetup(admin).apply(plan);
            for (TopicOutcome outcome : outcomes) {
                TopicSpec planned = plan.stream().filter(s -> s.name().equals(outcome.topic())).findFirst().orElseThrow();
                out.println(outcome.describe(planned));
            }
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("topics: " + e.getMessage() + " (brokers " + client.bootstrap() + ")");
            return 1;
        }
        return 0;
    }
}
