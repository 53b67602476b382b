package dev.sentiflow.deploy.service;

import java.util.Map;
import java.util.Optional;

/**
 * A program the launcher hands over to: its {@code main} class by name, so a service that another
 * module has not built yet (trainer, inference) is a clear message instead of a build failure.
 *
 * @param command the subcommand ({@code ingest}, {@code trainer}, ...)
 * @param mainClass the class whose {@code main(String[])} runs
 * @param description one line for {@code pipeline --help}
 * @param module the folder that provides it, named in the "not built yet" message
 * @param quietLoggers system properties set (if not set already) before it starts, e.g. to silence
 *     library log lines the command prints itself
 */
public record ServiceMain(String command, String mainClass, String description, String module,
                          Map<String, String> quietLoggers) {

    /** The services and tools of the pipeline, as the README lists them. */
    public static final ServiceMain INGEST = new ServiceMain("ingest", "dev.sentiflow.ingest.IngestApp",
            "Run the tokenizing Kafka Streams app (reviews -> reviews.tokenized | reviews.dlq).", "ingest", Map.of());
    public static final ServiceMain TRAINER = new ServiceMain("trainer", "dev.sentiflow.trainer.TrainerApp",
            "Run the training service (reviews.tokenized -> models, training.metrics).", "trainer", Map.of());
    public static final ServiceMain INFERENCE = new ServiceMain("inference", "dev.sentiflow.inference.InferenceApp",
            "Run the scoring Kafka Streams app (reviews.tokenized + models -> predictions).", "inference", Map.of());
    public static final ServiceMain PRODUCE = new ServiceMain("produce", "dev.sentiflow.ingest.ReviewFileProducer",
            "Load reviews from a CSV/JSONL file into the reviews topic.", "ingest", Map.of());
    public static final ServiceMain PREDICT = new ServiceMain("predict", "dev.sentiflow.inference.PredictCommand",
            "Score texts with a checkpoint file, or with the version inference serves (--models FILE).", "inference", Map.of());
    public static final ServiceMain EVALUATE = new ServiceMain("evaluate", "dev.sentiflow.inference.EvaluateCommand",
            "Score every version of a model on the models topic on one labeled test file (--models FILE --file TEST).",
            "inference", Map.of());
    // The command prints each epoch itself; the library's per-epoch log lines would repeat it.
    public static final ServiceMain FINETUNE = new ServiceMain("finetune", "dev.sentiflow.model.cli.FineTuneCommand",
            "Fine-tune a classifier from a CSV/JSONL file of labelled text (no Kafka).", "model", Map.of(
                    "org.slf4j.simpleLogger.log.dev.sentiflow.model.train.FineTuner", "warn",
                    "org.slf4j.simpleLogger.log.dev.sentiflow.model.train.MlmAdapter", "warn"));

    /** The main class if it is on this JVM's class path. */
    public Optional<Class<?>> load() {
        try {
            return Optional.of(Class.forName(mainClass, false, ServiceMain.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }

    public boolean isBuilt() {
        return load().isPresent();
    }

    /** What to tell a user who asks for a service that does not exist yet. */
    public String notBuiltMessage() {
        return command + " is not built yet: " + mainClass + " is not on the class path (it arrives with the "
                + module + "/ module)";
    }
}
