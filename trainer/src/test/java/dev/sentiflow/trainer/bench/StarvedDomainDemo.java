package dev.sentiflow.trainer.bench;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import dev.sentiflow.trainer.TrainerApp;
import dev.sentiflow.trainer.TrainerService;
import dev.sentiflow.trainer.config.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The per-domain gate on real data, shown end to end: the trainer (real broker, registry, MiniLM,
 * LoRA) first gets the UCI sentences of all three domains and publishes v1; then only yelp labels
 * arrive, with replay turned down to one example, so the next round fine-tunes the champion on yelp
 * alone while amazon and imdb are starved. Both are scored on the same per-domain evaluation sets;
 * the round's decision and per-domain table are printed as the trainer wrote them to
 * {@code training.metrics}. Whether the starved domains drop far enough to be refused is what the
 * run measures; nothing is arranged so that they must.
 *
 * <p>Run: {@code ./bench starved [FILE.csv] [trainer-key=value ...]} (about 5 minutes on 2 cores), e.g.
 * {@code ./bench starved train.from=base} to start the starved round from the base model instead.
 */
public final class StarvedDomainDemo {

    private StarvedDomainDemo() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of("../data/uci_sentiment_sentences.csv");
        Map<String, String> overrides = new HashMap<>();
        for (String arg : args) {
            if (arg.contains("=")) {
                overrides.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            } else {
                file = Path.of(arg);
            }
        }
        int first = 500;
        Map<String, List<Row>> byDomain = new TreeMap<>();
        try (Stream<Row> rows = RowReaders.rows(file)) {
            rows.forEach(r -> byDomain.computeIfAbsent(r.require("source"), d -> new ArrayList<>()).add(r));
        }
        List<Row> phase1 = new ArrayList<>();
        for (int i = 0; i < first; i++) {
            for (List<Row> domain : byDomain.values()) {
                phase1.add(domain.get(i));
            }
        }
        List<Row> phase2 = byDomain.get("yelp").subList(first, byDomain.get("yelp").size());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ApicurioRegistry server = ApicurioRegistry.start();
             NDManager manager = NDManager.newBaseManager();
             BaseModel base = BaseModels.load(manager, BaseWeights.MINILM);
             TextTokenizer tokenizer = base.openTokenizer(128)) {
            SchemaRegistryClient registry = new SchemaRegistryClient(server.confluentApiUrl());
            kafka.createTopics(2, "reviews.tokenized");
            kafka.createTopics(List.of(new NewTopic("models", 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                    "max.message.bytes", "2097152")), new NewTopic("training.metrics", 1, (short) 1),
                    new NewTopic("metrics.live", 1, (short) 1)));
            Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", server.confluentApiUrl(), "eval.share", "0.3",
                    "round.size", "1100", "round.min.examples", "200", "round.max.wait.ms", "20000",
                    "replay.capacity", "1"));
            settings.putAll(overrides);
            System.out.printf("phase 1: %d labeled sentences, %d per domain %s; then phase 2: %d yelp sentences only "
                    + "(amazon and imdb starved, replay 1); settings %s%n", phase1.size(), first, byDomain.keySet(),
                    phase2.size(), settings);
            TrainerService trainer = TrainerApp.build(new TrainerConfig(settings), manager, base, tokenizer);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<?> running = pool.submit(trainer::run);
            try {
                send(kafka, registry, tokenizer, phase1, "p1");
                print(awaitRound(kafka, registry, 1, running));
                send(kafka, registry, tokenizer, phase2, "p2");
                print(awaitRound(kafka, registry, 2, running));
            } finally {
                trainer.stop();
                running.get();
                trainer.close();
                pool.shutdown();
            }
        }
    }

    private static void send(EmbeddedKafka kafka, SchemaRegistryClient registry, TextTokenizer tokenizer,
            List<Row> rows, String prefix) {
        var serializer = new AvroSerializer<TokenizedReview>(registry, TokenizedReview.getClassSchema(), true, false);
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Row r : rows) {
                TokenizedReview review = TokenizedReview.newBuilder().setId(prefix + ":" + r.line())
                        .setTokenIds(Arrays.stream(tokenizer.encode(r.require("text"))).boxed().toList())
                        .setLabel(r.require("label").equals("1") ? "positive" : "negative")
                        .setDomain(r.require("source")).setEventTime(Instant.now()).setTokenizerId(tokenizer.id())
                        .setTruncated(false).build();
                producer.send(new ProducerRecord<>("reviews.tokenized", review.getId().getBytes(StandardCharsets.UTF_8),
                        serializer.serialize("reviews.tokenized", review)));
            }
        }
    }

    private static TrainingMetrics awaitRound(EmbeddedKafka kafka, SchemaRegistryClient registry, long round,
            Future<?> trainer) throws Exception {
        var deserializer = new AvroDeserializer<TrainingMetrics>(registry, TrainingMetrics.getClassSchema());
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (trainer.isDone()) {
                trainer.get();
                throw new IllegalStateException("the trainer stopped");
            }
            for (var r : kafka.readCommitted("training.metrics")) {
                TrainingMetrics m = deserializer.deserialize("training.metrics", r.value());
                if (m.getScope() == MetricsScope.ROUND && m.getRound() == round) {
                    return m;
                }
            }
            Thread.sleep(5000);
        }
        throw new IllegalStateException("no round " + round + " within 30 minutes");
    }

    private static void print(TrainingMetrics m) {
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.putAll(new TreeMap<>(m.getLabels()));
        System.out.printf("%nround %d of model %s: %s%n", m.getRound(), m.getModelName(), m.getLabels().get("decision"));
        shown.forEach((k, v) -> {
            if (!k.equals("decision")) {
                System.out.println("  " + k + ": " + v);
            }
        });
        new TreeMap<>(m.getValues()).forEach((k, v) -> {
            if (k.contains("macro_f1") || k.contains("accuracy") || k.endsWith("examples")) {
                System.out.printf("  %s = %.4f%n", k, v);
            }
        });
    }
}
