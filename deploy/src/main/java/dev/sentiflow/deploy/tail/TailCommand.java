package dev.sentiflow.deploy.tail;

import dev.sentiflow.deploy.cli.ClientSettings;
import dev.sentiflow.deploy.cli.RegistryOption;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code pipeline tail predictions|metrics|live|dlq}: prints one line per record of a pipeline
 * topic, decoded through the registry, until Ctrl-C or {@code --max}.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Follow a pipeline topic, one line per record (read_committed, Avro via the registry).",
                "predictions = " + dev.sentiflow.schemas.Topics.PREDICTIONS + ", metrics = "
                        + dev.sentiflow.schemas.Topics.TRAINING_METRICS + ", live = "
                        + dev.sentiflow.schemas.Topics.LIVE_METRICS + ", dlq = " + dev.sentiflow.schemas.Topics.REVIEWS_DLQ
                        + ". Ctrl-C stops."})
public final class TailCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClientSettings client;

    @Mixin
    private RegistryOption registryOption;

    @Parameters(index = "0", paramLabel = "STREAM", converter = StreamConverter.class,
            description = "predictions, metrics, live or dlq")
    private TailStream stream;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of new ones only.")
    private boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
    private Long max;

    @Override
    public Integer call() {
        if (max != null && max < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max must be at least 1, got " + max);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AvroDeserializer<SpecificRecord> decoder = stream.deserializer(client.registryClient(registryOption));
        AtomicLong printed = new AtomicLong();
        try (TopicFollower follower = new TopicFollower(client.kafka())) {
            Thread hook = new Thread(follower::stop, "tail-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                follower.follow(List.of(stream.topic()), fromBeginning, record -> {
                    try {
                        out.println(stream.line(decoder.deserialize(record.topic(), record.value())));
                    } catch (SerializationException | dev.sentiflow.schemas.registry.SchemaRegistryException e) {
                        if (e instanceof dev.sentiflow.schemas.registry.SchemaRegistryException registryFailure
                                && !dev.sentiflow.schemas.serde.RecordDecoder.isRecordsFault(registryFailure)) {
                            throw registryFailure; // the registry refused us or is away: no record can be read
                        }
                        String key = record.key() == null ? "(no key)" : new String(record.key(), StandardCharsets.UTF_8);
                        err.println("?     " + key + "  " + record.topic() + "[" + record.partition() + "]@"
                                + record.offset() + "  cannot decode: " + e.getMessage());
                    }
                    out.flush();
                    return max == null || printed.incrementAndGet() < max;
                });
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down (Ctrl-C): the hook is what stopped us
                }
            }
        } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
            err.println("tail: " + e.getMessage() + " (brokers " + client.bootstrap() + ")");
            return 1;
        } catch (dev.sentiflow.schemas.registry.SchemaRegistryException e) {
            err.println("tail: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    static final class StreamConverter implements ITypeConverter<TailStream> {
        @Override
        public TailStream convert(String value) {
            try {
                return TailStream.of(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
