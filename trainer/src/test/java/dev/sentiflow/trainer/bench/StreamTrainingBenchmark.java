package dev.sentiflow.trainer.bench;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.Review;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.ingest.IngestApp;
import dev.sentiflow.ingest.IngestConfig;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.infer.ClassifierScorer;
import dev.sentiflow.model.train.EncodedExample;
import dev.sentiflow.model.train.FineTuneResult;
import dev.sentiflow.model.train.FineTuner;
import dev.sentiflow.model.train.TrainingConfig;
import dev.sentiflow.model.train.TrainingMode;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssemblyResult;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.data.StableSplit;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import dev.sentiflow.trainer.TrainerApp;
import dev.sentiflow.trainer.TrainerService;
import dev.sentiflow.trainer.config.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Quality and speed of training through the stream against the offline {@code finetune} on the same
 * examples, in one run: a labelled file's held-out 20% (the stable hash of the text that
 * {@code finetune --eval-fraction 0.2} uses) is never streamed; the rest goes through
 * {@code reviews} → ingest → trainer on a real broker and registry, in rounds of the default size;
 * every published version is scored on the held-out examples beside the offline model.
 *
 * <p>Run: {@code ./bench stream [FILE.csv] [label-column] [domain-column] [TEST.csv]} (default: the UCI
 * sentences). With a TEST file, every row of FILE is streamed and TEST is the held-out set (the
 * fine-food files: {@code ./bench stream ../data/finefoods_train.csv label none ../data/finefoods_test.csv}).
 * Prints one table and writes it to {@code runs/bench-results/DATE-stream.json}.
 */
public final class StreamTrainingBenchmark {

    private static final List<String> LABELS = List.of("negative", "positive");

    private StreamTrainingBenchmark() {
    }

    record Example(String id, String text, int label, String domain) {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "../data/uci_sentiment_sentences.csv");
        String labelColumn = args.length > 1 ? args[1] : "label";
        String domainColumn = args.length > 2 ? args[2] : "source";
        Optional<Path> testFile = args.length > 3 ? Optional.of(Path.of(args[3])) : Optional.empty();
        StableSplit heldOut = new StableSplit(0.2);
        List<Example> train = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        for (Path source : testFile.isPresent() ? List.of(file, testFile.get()) : List.of(file)) {
            try (Stream<Row> rows = RowReaders.rows(source)) {
                rows.forEach(r -> {
                    String text = r.require("text");
                    Example e = new Example(source.getFileName() + ":" + r.line(), text,
                            r.require(labelColumn).equals("1") ? 1 : 0,
                            r.has(domainColumn) ? r.require(domainColumn) : "default");
                    boolean held = testFile.isPresent() ? source.equals(testFile.get()) : heldOut.isEval(text);
                    (held ? test : train).add(e);
                });
            }
        }
        System.out.printf("%s: %d streamed for training, %d held out (never streamed)%n", file, train.size(), test.size());
        Map<String, Object> results = new java.util.LinkedHashMap<>();
        results.put("file", file.toString());
        try (NDManager manager = NDManager.newBaseManager();
             BaseModel base = BaseModels.load(manager, BaseWeights.MINILM);
             TextTokenizer tokenizer = base.openTokenizer(128)) {
            List<EncodedExample> testSet = encode(tokenizer, test);
            Map<String, Object> offline = offline(manager, base, tokenizer, train, testSet);
            results.put("offline", offline);
            results.put("stream", stream(manager, base, tokenizer, train, testSet, offline));
        }
        Path out = Path.of("../runs/bench-results", LocalDate.now() + "-stream-"
                + file.getFileName().toString().replace(".csv", "") + ".json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(results));
        System.out.println("wrote " + out.toAbsolutePath().normalize());
    }

    private static Map<String, Object> offline(NDManager manager, BaseModel base, TextTokenizer tokenizer,
            List<Example> train, List<EncodedExample> test) {
        TrainingConfig config = TrainingConfig.defaults(TrainingMode.LORA);
        try (NDManager m = manager.newSubManager()) {
            SequenceClassifier model = Classifiers.create(m, base, 2, Optional.of(LoraConfig.defaults()), config.seed());
            long start = System.nanoTime();
            FineTuneResult result = new FineTuner(config).progressBar(false).run(model, model.namedParameters(), m,
                    encode(tokenizer, train), test, LABELS, tokenizer.padId());
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] scores = score(model, m, tokenizer, test);
            double sps = result.epochs().stream().mapToDouble(e -> e.trainSamplesPerSecond()).average().orElse(0);
            System.out.printf(Locale.ROOT, "offline finetune (LoRA, 3 epochs, best epoch %d): test accuracy %.4f, "
                    + "macro-F1 %.4f; %.1f train samples/s; %.0f s%n", result.bestEpoch(), scores[0], scores[1], sps, seconds);
            return Map.of("accuracy", scores[0], "macro_f1", scores[1], "train_samples_per_s", sps, "seconds", seconds,
                    "train_examples", train.size());
        }
    }

    private static Map<String, Object> stream(NDManager manager, BaseModel base, TextTokenizer tokenizer,
            List<Example> train, List<EncodedExample> test, Map<String, Object> offline) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ApicurioRegistry server = ApicurioRegistry.start()) {
            SchemaRegistryClient registry = new SchemaRegistryClient(server.confluentApiUrl());
            kafka.createTopics(2, "reviews", "reviews.tokenized", "reviews.dlq");
            kafka.createTopics(List.of(new NewTopic("models", 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                    "max.message.bytes", "2097152")), new NewTopic("training.metrics", 1, (short) 1),
                    new NewTopic("metrics.live", 1, (short) 1)));
            Path state = Files.createTempDirectory("stream-bench");
            KafkaStreams ingest = IngestApp.start(new IngestConfig(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", server.confluentApiUrl(), "state.dir", state.toString())));
            var serializer = new AvroSerializer<Review>(registry, Review.getClassSchema(), true, false);
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()), new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                for (Example e : train) {
                    Review r = Review.newBuilder().setId(e.id()).setText(e.text()).setLabel(LABELS.get(e.label()))
                            .setDomain(e.domain()).setEventTime(Instant.now()).build();
                    producer.send(new ProducerRecord<>("reviews", e.id(), serializer.serialize("reviews", r)));
                }
            }
            Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", server.confluentApiUrl(), "round.max.wait.ms", "20000"));
            TrainerService trainer = TrainerApp.build(new TrainerConfig(settings), manager, base, tokenizer);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            long begin = System.nanoTime();
            Future<?> running = pool.submit(trainer::run);
            waitUntilEverythingIsTrained(kafka, running, train.size(),
                    new TrainerConfig(settings).getInt(TrainerConfig.ROUND_MIN_EXAMPLES), Duration.ofMinutes(100));
            double wall = (System.nanoTime() - begin) / 1e9;
            trainer.stop();
            running.get();
            trainer.close();
            pool.shutdown();
            ingest.close(Duration.ofSeconds(10));

            Map<Long, TrainingMetrics> rounds = new HashMap<>();
            for (TrainingMetrics m : StreamTrainingBenchmark.<TrainingMetrics>readAll(kafka, registry, "training.metrics",
                    TrainingMetrics.getClassSchema())) {
                if (m.getScope() == MetricsScope.ROUND) {
                    rounds.put(m.getRound(), m);
                }
            }
            List<Map<String, Object>> versions = new ArrayList<>();
            var assembler = new CheckpointAssembler(512L << 20, Optional.empty());
            System.out.printf("%-8s %-9s %-8s %-10s %-8s %-14s %-13s %-13s%n", "version", "trigger", "trained",
                    "round s", "samples/s", "vs offline", "test accuracy", "test macro-F1");
            for (ModelCheckpoint chunk : StreamTrainingBenchmark.<ModelCheckpoint>readAll(kafka, registry, "models",
                    ModelCheckpoint.getClassSchema())) {
                if (assembler.accept(chunk) instanceof AssemblyResult.Complete c) {
                    versions.add(report(manager, base, tokenizer, c.checkpoint(), rounds.get(c.checkpoint().version()),
                            test, (double) offline.get("train_samples_per_s")));
                }
            }
            System.out.printf(Locale.ROOT, "stream: %d published versions, %d rounds in all, %.0f s from the trainer's start%n",
                    versions.size(), rounds.size(), wall);
            return Map.of("versions", versions, "rounds", rounds.size(), "wall_seconds", wall);
        }
    }

    private static Map<String, Object> report(NDManager manager, BaseModel base, TextTokenizer tokenizer,
            AssembledCheckpoint version, TrainingMetrics round, List<EncodedExample> test, double offlineSps) {
        try (NDManager m = manager.newSubManager()) {
            SequenceClassifier model = Classifiers.create(m, base, 2, Optional.of(LoraConfig.defaults()), 1);
            var checkpoint = CheckpointCodec.decode(m, version.payload(), "v" + version.version());
            CheckpointCodec.apply(checkpoint, model, checkpoint.metadata().identity(), "v" + version.version());
            double[] scores = score(model, m, tokenizer, test);
            double sps = round.getValues().getOrDefault("train_samples_per_s", 0.0);
            double trained = round.getValues().getOrDefault("train_examples", 0.0);
            double seconds = round.getValues().getOrDefault("wall_seconds", 0.0);
            System.out.printf(Locale.ROOT, "v%-7d %-9s %-8.0f %-10.0f %-9.1f %-14s %-13.4f %-13.4f%n", version.version(),
                    round.getLabels().get("trigger"), trained, seconds, sps,
                    String.format(Locale.ROOT, "%.0f%%", 100 * sps / offlineSps), scores[0], scores[1]);
            return Map.of("version", version.version(), "trigger", round.getLabels().get("trigger"), "train_examples",
                    trained, "round_seconds", seconds, "train_samples_per_s", sps, "accuracy", scores[0],
                    "macro_f1", scores[1]);
        }
    }

    /**
     * Returns once the trainer has trained on everything it ever will: every streamed review is
     * tokenized and fewer records than {@code round.min.examples} are left uncommitted. A round only
     * starts with at least that many new examples and commits them when it ends, so while one runs the
     * uncommitted count is at least that; a smaller rest (labels that never filled a round) stays
     * uncommitted for good, which is why waiting for "committed = end" never returned.
     */
    private static void waitUntilEverythingIsTrained(EmbeddedKafka kafka, Future<?> trainer, long streamed,
            int minExamples, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long settledSince = -1;
        try (var admin = kafka.admin()) {
            while (System.nanoTime() < deadline) {
                if (trainer.isDone()) {
                    trainer.get();
                    throw new IllegalStateException("the trainer stopped");
                }
                Map<Integer, Long> committed = new HashMap<>();
                admin.listConsumerGroupOffsets("sentiflow-trainer").partitionsToOffsetAndMetadata().get()
                        .forEach((tp, o) -> committed.put(tp.partition(), o.offset()));
                var records = kafka.readCommitted("reviews.tokenized");
                long tokenized = records.size();
                long uncommitted = records.stream()
                        .filter(r -> r.offset() >= committed.getOrDefault(r.partition(), 0L)).count();
                boolean settled = tokenized >= streamed && uncommitted < minExamples;
                if (!settled) {
                    settledSince = -1;
                } else if (settledSince < 0) {
                    settledSince = System.nanoTime();
                    System.out.printf("all %d tokenized; %d left untrained (below round.min.examples %d)%n",
                            tokenized, uncommitted, minExamples);
                } else if (System.nanoTime() - settledSince > Duration.ofSeconds(10).toNanos()) {
                    return;
                }
                Thread.sleep(5000);
            }
        }
        throw new IllegalStateException("the trainer did not train everything within " + timeout);
    }

    private static double[] score(SequenceClassifier model, NDManager m, TextTokenizer tokenizer, List<EncodedExample> test) {
        var scored = new ClassifierScorer(model, m, tokenizer.padId(), 32)
                .score(test.stream().map(EncodedExample::tokenIds).toList());
        ConfusionMatrix confusion = new ConfusionMatrix(LABELS);
        for (int i = 0; i < test.size(); i++) {
            confusion.add(test.get(i).label(), scored.get(i).predicted());
        }
        return new double[] {confusion.accuracy(), confusion.macroF1()};
    }

    private static List<EncodedExample> encode(TextTokenizer tokenizer, List<Example> examples) {
        return examples.stream().map(e -> new EncodedExample(tokenizer.encode(e.text()), e.label())).toList();
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(EmbeddedKafka kafka,
            SchemaRegistryClient registry, String topic, org.apache.avro.Schema schema) {
        var deserializer = new AvroDeserializer<T>(registry, schema);
        return kafka.readCommitted(topic).stream().filter(r -> r.value() != null)
                .map(r -> deserializer.deserialize(topic, r.value())).toList();
    }
}
