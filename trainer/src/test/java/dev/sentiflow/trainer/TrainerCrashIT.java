package dev.sentiflow.trainer;

import dev.sentiflow.modeldata.weights.BaseWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.schemas.checkpoint.AssemblyResult;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer as its own JVM, killed with SIGKILL in the middle of a round, twice: nothing of the
 * killed round becomes visible, the restarted process trains the same window again and publishes
 * that version once, and in the end every input offset is committed and versions are 1, 2 with no
 * gap, duplicate or partial one.
 */
class TrainerCrashIT {

    private static EmbeddedKafka kafka;
    private static ApicurioRegistry server;
    private static SchemaRegistryClient registry;
    private static List<TokenizedReview> uci;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        server = ApicurioRegistry.start();
        registry = new SchemaRegistryClient(server.confluentApiUrl());
        kafka.createTopics(2, "reviews.tokenized");
        kafka.createTopics(List.of(new NewTopic("models", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                new NewTopic("training.metrics", 1, (short) 1), new NewTopic("metrics.live", 1, (short) 1)));
        try (NDManager m = NDManager.newBaseManager(); BaseModel base = BaseModels.load(m, BaseWeights.MINILM);
             TextTokenizer tokenizer = base.openTokenizer(64)) {
            uci = UciTokenized.load(tokenizer);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
        kafka.close();
    }

    @Test
    void killedMidRoundItRetrainsTheSameWindowAndPublishesEachVersionOnce(@TempDir Path dir) throws Exception {
        produce(uci.subList(0, 400));
        Process trainer = startTrainer(dir.resolve("run1.log"));
        try {
            awaitLog(trainer, dir.resolve("run1.log"), "round for v1", Duration.ofMinutes(5));
            trainer.destroyForcibly().waitFor();
            assertEquals(0, completeVersions().size(), "nothing of the killed round is visible");
            assertEquals(0, committedTotal(), "no offset committed without its round");

            trainer = startTrainer(dir.resolve("run2.log"));
            awaitLog(trainer, dir.resolve("run2.log"), "v1 PUBLISHED", Duration.ofMinutes(8));
            produce(uci.subList(400, 800));
            awaitLog(trainer, dir.resolve("run2.log"), "round for v2", Duration.ofMinutes(5));
            trainer.destroyForcibly().waitFor();

            trainer = startTrainer(dir.resolve("run3.log"));
            awaitLog(trainer, dir.resolve("run3.log"), "v2 PUBLISHED", Duration.ofMinutes(8));
            String log3 = Files.readString(dir.resolve("run3.log"));
            assertTrue(log3.contains("champions {default=v1}"), "the restarted trainer found v1 on the topic");
        } finally {
            trainer.destroyForcibly().waitFor();
        }
        assertEquals(List.of(1L, 2L), completeVersions(), "versions once each, none partial");
        assertEquals(endTotal(), committedTotal(), "every input offset committed with a published round");
    }

    private static Process startTrainer(Path log) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.dev.sentiflow=info", "-cp", classPath, "dev.sentiflow.trainer.TrainerApp",
                "bootstrap.servers=" + kafka.bootstrapServers(), "schema.registry.url=" + server.confluentApiUrl(),
                "base.model=minilm@2layers", "max.length=64", "round.size=300", "round.min.examples=300",
                "epochs=6", "learning.rate=2e-3", "eval.share=0.2", "gate.min.domain.examples=20",
                "checkpoint.chunk.bytes=65536", "shutdown.timeout.ms=2000",
                // A killed member holds its partitions until its session times out: keep that short here.
                "kafka.consumer.session.timeout.ms=6000"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitLog(Process p, Path log, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("trainer exited with " + p.exitValue() + " before '" + text + "':\n"
                        + Files.readString(log));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' in the trainer's log within " + timeout + ":\n" + Files.readString(log));
    }

    private static void produce(List<TokenizedReview> reviews) {
        var serializer = new AvroSerializer<TokenizedReview>(registry, TokenizedReview.getClassSchema(), true, false);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (TokenizedReview r : reviews) {
                producer.send(new ProducerRecord<>("reviews.tokenized", r.getId(),
                        serializer.serialize("reviews.tokenized", r)));
            }
        }
    }

    private static List<Long> completeVersions() {
        var deserializer = new AvroDeserializer<ModelCheckpoint>(registry, ModelCheckpoint.getClassSchema());
        var assembler = new CheckpointAssembler(64L << 20, Optional.empty());
        List<Long> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("models")) {
            if (r.value() != null
                    && assembler.accept(deserializer.deserialize("models", r.value())) instanceof AssemblyResult.Complete c) {
                versions.add(c.checkpoint().version());
            }
        }
        return versions;
    }

    private static long endTotal() throws Exception {
        try (var admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                specs.put(new TopicPartition("reviews.tokenized", p), OffsetSpec.latest());
            }
            return admin.listOffsets(specs).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        }
    }

    private static long committedTotal() throws Exception {
        try (var admin = kafka.admin()) {
            return admin.listConsumerGroupOffsets("sentiflow-trainer").partitionsToOffsetAndMetadata().get().values()
                    .stream().mapToLong(o -> o.offset()).sum();
        }
    }
}
