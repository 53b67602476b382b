package dev.sentiflow.deploy.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.deploy.local.ChildProcesses;
import dev.sentiflow.deploy.local.JavaCommand;
import dev.sentiflow.deploy.local.LocalKafka;
import dev.sentiflow.inference.InferenceConfig;
import dev.sentiflow.inference.InferenceService;
import dev.sentiflow.ingest.IngestApp;
import dev.sentiflow.ingest.IngestConfig;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.TlsFiles;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import dev.sentiflow.trainer.TrainerApp;
import dev.sentiflow.trainer.TrainerService;
import dev.sentiflow.trainer.config.TrainerConfig;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline against a secured cluster it did not set up for itself: a real broker
 * ({@code kafka.Kafka} child) whose only client listener is SASL_SSL with SCRAM-SHA-512 users made at
 * format time, and a real Apicurio registry that answers only over TLS and only with HTTP basic auth.
 * Every service (ingest, trainer, inference, in this JVM) and every command ({@code topics},
 * {@code produce}, {@code tail}, {@code report}, {@code predict --models}, each a {@code pipeline} child
 * JVM) is given the credentials and the trust store in its settings: reviews are produced, scored
 * exactly once, trained on and published. Then a wrong Kafka password stops each service and a
 * command with one line naming the failed authentication, and a wrong registry password a command.
 */
class SecureClusterIT {

    private static final int REVIEWS = 400;
    private static final String MECHANISM = "SCRAM-SHA-512";
    private static final Path UCI = Path.of("../data/uci_sentiment_sentences.csv").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void everyServiceAndCommandWorksOverSaslSslWithABasicAuthTlsRegistryAndWrongCredentialsAreNamed()
            throws Exception {
        TlsFiles tls = TlsFiles.create(dir.resolve("tls"), "tls-secret");
        ApicurioRegistry.Secured secured = new ApicurioRegistry.Secured(tls, "sentiflow", "registry-secret");
        Map<String, Object> client = kafkaClient(tls, "kafka-secret");
        try (ChildProcesses children = new ChildProcesses(dir.resolve("logs"), Duration.ofSeconds(10), death -> { });
             ApicurioRegistry server = ApicurioRegistry.start(secured);
             NDManager manager = NDManager.newBaseManager();
             BaseModel base = BaseModels.load(manager, "minilm@2layers");
             TextTokenizer tokenizer = base.openTokenizer(64)) {
            LocalKafka kafka = LocalKafka.start(children, dir, listener(tls, client));
            client.put("bootstrap.servers", kafka.bootstrapServers());
            Map<String, String> registry = Map.of("schema.registry.url", server.confluentApiUrl(),
                    "schema.registry.basic.auth.user.info", secured.userInfo(),
                    "schema.registry.ssl.truststore.location", tls.trustStore().toString(),
                    "schema.registry.ssl.truststore.password", tls.password());
            Path clientFile = write("client.properties", client, registry, "");
            Path inferenceFile = write("inference.properties", client, registry, "kafka.");
            Files.writeString(inferenceFile, "base.model=minilm@2layers\nmax.length=64\n",
                    java.nio.file.StandardOpenOption.APPEND);

            assertEquals(0, pipeline(children, "topics", "topics", "--config", clientFile.toString()),
                    log(children, "topics"));

            Map<String, String> service = settings(client, registry);
            KafkaStreams ingest = IngestApp.start(new IngestConfig(with(service, "state.dir",
                    dir.resolve("ingest").toString(), "tokenizer.max.length", "64")));
            InferenceService inference = null;
            ExecutorService pool = Executors.newSingleThreadExecutor();
            TrainerService trainer = null;
            Future<?> training = null;
            try {
                inference = InferenceService.start(new InferenceConfig(with(service, "state.dir",
                        dir.resolve("inference").toString(), "base.model", "minilm@2layers", "max.length", "64",
                        "serve.without.model", "base-head")));
                trainer = TrainerApp.build(new TrainerConfig(trainerSettings(service)), manager, base, tokenizer);
                training = pool.submit(trainer::run);

                assertEquals(0, pipeline(children, "produce", "produce", "--file", UCI.toString(), "--limit",
                        String.valueOf(REVIEWS), "--domain-column", "source", "--label-map", "0=negative,1=positive",
                        "--config", clientFile.toString()), log(children, "produce"));
                Set<String> expected = ids();
                Map<String, Integer> outcomes = awaitAccounted(client, expected, Duration.ofMinutes(4));
                assertEquals(Map.of(), PipelineTraffic.problems(expected, outcomes));
                awaitPublished(client, training, Duration.ofMinutes(4));
                System.out.printf("secure cluster IT: %d reviews scored exactly once over SASL_SSL, v1 published%n",
                        outcomes.size());

                assertEquals(0, pipeline(children, "tail", "tail", "predictions", "--from-beginning", "--max", "3",
                        "--config", clientFile.toString()), log(children, "tail"));
                assertEquals(3, Files.readAllLines(children.logOf("tail")).stream()
                        .filter(l -> l.contains("uci_sentiment_sentences.csv:")).count(), log(children, "tail"));
                Path report = dir.resolve("report.html");
                assertEquals(0, pipeline(children, "report", "report", "--config", clientFile.toString(), "--out",
                        report.toString()), log(children, "report"));
                assertTrue(Files.size(report) > 1000, "the report is written");
                assertEquals(0, pipeline(children, "predict", "predict", "--models", inferenceFile.toString(),
                        "a wonderful little place"), log(children, "predict"));
                assertTrue(log(children, "predict").contains("v1"), log(children, "predict"));

                // A wrong Kafka password: one line that names the failed authentication, from a command and each service.
                Map<String, Object> wrong = new HashMap<>(client);
                wrong.put("sasl.jaas.config", jaas("not-the-password"));
                Path wrongKafka = write("wrong-kafka.properties", wrong, registry, "");
                assertEquals(1, pipeline(children, "topics-wrong", "topics", "--config", wrongKafka.toString()));
                assertTrue(log(children, "topics-wrong").contains("Authentication failed"),
                        log(children, "topics-wrong"));
                Map<String, String> wrongService = settings(wrong, registry);
                assertNamesAuthentication(assertThrows(RuntimeException.class, () -> IngestApp.start(
                        new IngestConfig(with(wrongService, "state.dir", dir.resolve("ingest-wrong").toString())))));
                assertNamesAuthentication(assertThrows(RuntimeException.class, () -> InferenceService.start(
                        new InferenceConfig(with(wrongService, "state.dir", dir.resolve("inference-wrong").toString(),
                                "base.model", "minilm@2layers", "serve.without.model", "base-head")))));
                assertNamesAuthentication(assertThrows(RuntimeException.class, () -> TrainerApp.build(
                        new TrainerConfig(trainerSettings(wrongService)), manager, base, tokenizer)));
                // A wrong registry password: the command says the registry refused it.
                Map<String, String> wrongRegistry = new HashMap<>(registry);
                wrongRegistry.put("schema.registry.basic.auth.user.info", "sentiflow:not-the-password");
                Path wrongRegistryFile = write("wrong-registry.properties", client, wrongRegistry, "");
                assertEquals(1, pipeline(children, "tail-wrong", "tail", "predictions", "--from-beginning", "--max",
                        "1", "--config", wrongRegistryFile.toString()));
                String refused = log(children, "tail-wrong");
                assertTrue(refused.contains("401") && refused.contains("schema.registry.basic.auth.user.info"), refused);
            } finally {
                if (trainer != null) {
                    trainer.stop();
                    training.get();
                    trainer.close();
                }
                pool.shutdown();
                if (inference != null) {
                    inference.close();
                }
                ingest.close(Duration.ofSeconds(30));
            }
        }
    }

    private static void assertNamesAuthentication(RuntimeException e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append(" | ");
        }
        assertTrue(text.toString().contains("Authentication failed"), text.toString());
    }

    /** Kafka client settings for SASL_SSL with SCRAM, trusting the test's certificate. */
    private static Map<String, Object> kafkaClient(TlsFiles tls, String password) {
        Map<String, Object> s = new HashMap<>();
        s.put("security.protocol", "SASL_SSL");
        s.put("sasl.mechanism", MECHANISM);
        s.put("sasl.jaas.config", jaas(password));
        s.put("ssl.truststore.location", tls.trustStore().toString());
        s.put("ssl.truststore.password", tls.password());
        s.put("ssl.truststore.type", "PKCS12");
        return s;
    }

    private static String jaas(String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sentiflow\" password=\""
                + password + "\";";
    }

    /** The broker's only client listener: SASL_SSL, SCRAM users for itself and for the pipeline made at format time. */
    private static LocalKafka.ClientListener listener(TlsFiles tls, Map<String, Object> client) {
        Map<String, String> server = new HashMap<>();
        server.put("sasl.enabled.mechanisms", MECHANISM);
        server.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        server.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" "
                        + "password=\"broker-secret\";");
        server.put("ssl.keystore.location", tls.keyStore().toString());
        server.put("ssl.keystore.password", tls.password());
        server.put("ssl.key.password", tls.password());
        server.put("ssl.keystore.type", "PKCS12");
        server.put("ssl.truststore.location", tls.trustStore().toString());
        server.put("ssl.truststore.password", tls.password());
        server.put("ssl.truststore.type", "PKCS12");
        return new LocalKafka.ClientListener("SASL_SSL", server, List.of(
                "--add-scram", MECHANISM + "=[name=broker,password=broker-secret]",
                "--add-scram", MECHANISM + "=[name=sentiflow,password=kafka-secret]"), client);
    }

    /** A properties file of the Kafka settings ({@code prefix} before each key) and the registry's. */
    private Path write(String name, Map<String, Object> kafka, Map<String, String> registry, String prefix)
            throws IOException {
        Properties p = new Properties();
        kafka.forEach((k, v) -> p.setProperty(k.equals("bootstrap.servers") ? k : prefix + k, String.valueOf(v)));
        registry.forEach(p::setProperty);
        Path file = dir.resolve(name);
        try (Writer out = Files.newBufferedWriter(file)) {
            p.store(out, null);
        }
        return file;
    }

    /** A service's settings: its brokers, {@code kafka.}-prefixed client settings and the registry's. */
    private static Map<String, String> settings(Map<String, Object> kafka, Map<String, String> registry) {
        Map<String, String> s = new HashMap<>(registry);
        kafka.forEach((k, v) -> s.put(k.equals("bootstrap.servers") ? k : "kafka." + k, String.valueOf(v)));
        return s;
    }

    private static Map<String, String> with(Map<String, String> settings, String... keysAndValues) {
        Map<String, String> s = new HashMap<>(settings);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            s.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return s;
    }

    /**
     * As the trainer's broker-restart test: one round over the 400 reviews that publishes v1. LoRA at 3e-3
     * for 4 epochs stayed at the majority class (so the gate refused v1, and no checkpoint came) for 1 of
     * 12 arrival orders of these examples, as in one CI run; at 2e-3 for 6 epochs all of 28 orders left it
     * by epoch 4 (best held-out accuracy 0.79 to 0.88; measured 2026-12-06).
     */
    private static Map<String, String> trainerSettings(Map<String, String> service) {
        return with(service, "round.size", "300", "round.min.examples", "300", "epochs", "6", "learning.rate", "2e-3",
                "max.length", "64", "eval.share", "0.2", "gate.tolerance", "0.5");
    }

    private static int pipeline(ChildProcesses children, String name, String... args) throws InterruptedException {
        return children.run(name, JavaCommand.of("768m", "dev.sentiflow.deploy.Pipeline", List.of(args)),
                Duration.ofMinutes(3));
    }

    private static String log(ChildProcesses children, String name) throws IOException {
        return Files.readString(children.logOf(name), StandardCharsets.UTF_8);
    }

    /** The ids {@code produce} gives the first {@value #REVIEWS} rows of the file (no id column: FILE:LINE). */
    private static Set<String> ids() throws Exception {
        try (Stream<Row> rows = RowReaders.rows(UCI)) {
            return rows.limit(REVIEWS).map(r -> UCI.getFileName() + ":" + r.line()).collect(Collectors.toSet());
        }
    }

    /** How often each id is a prediction or a dead letter (read_committed, over SASL_SSL), once all are in. */
    private static Map<String, Integer> awaitAccounted(Map<String, Object> client, Set<String> expected,
            Duration timeout) throws InterruptedException {
        Map<String, Integer> seen = Map.of();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            seen = KeyCounts.of(client, List.of("predictions", "predictions.dlq", "reviews.dlq"), Duration.ofSeconds(30));
            if (seen.keySet().containsAll(expected)) {
                break;
            }
            Thread.sleep(1000); // polling under the deadline above
        }
        return seen;
    }

    private static void awaitPublished(Map<String, Object> client, Future<?> training, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (training.isDone()) {
                training.get();
                throw new AssertionError("the trainer stopped");
            }
            if (!KeyCounts.of(client, List.of("models"), Duration.ofSeconds(30)).isEmpty()) {
                return;
            }
            Thread.sleep(1000); // polling under the deadline above
        }
        throw new AssertionError("no checkpoint on models within " + timeout);
    }
}
