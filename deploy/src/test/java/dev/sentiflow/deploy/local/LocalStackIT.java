package dev.sentiflow.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.deploy.topics.PipelineTopics;
import dev.sentiflow.deploy.topics.TopicOutcome;
import dev.sentiflow.deploy.topics.TopicSetup;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local stack's broker and registry are real processes that real clients use, and none outlives the stack. */
class LocalStackIT {

    private static final Duration GRACE = Duration.ofSeconds(30);

    @TempDir
    Path workdir;

    @Test
    void brokerAndRegistryServeTopicsAndAvroThenStopWithoutLeftovers() throws Exception {
        List<Long> pids = new ArrayList<>();
        List<ChildDeath> deaths = new ArrayList<>();
        try (ChildProcesses children = new ChildProcesses(workdir.resolve("logs"), GRACE, deaths::add)) {
            long begin = System.nanoTime();
            LocalKafka kafka = LocalKafka.start(children, workdir);
            long kafkaMs = (System.nanoTime() - begin) / 1_000_000;
            begin = System.nanoTime();
            LocalRegistry registry = LocalRegistry.start(children, workdir);
            long registryMs = (System.nanoTime() - begin) / 1_000_000;
            System.out.printf("LocalStackIT: broker ready in %d ms (format included), registry in %d ms%n",
                    kafkaMs, registryMs);
            children.children().forEach(c -> pids.add(c.pid()));
            assertEquals(2, pids.size());

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                var plan = PipelineTopics.plan(2, Optional.of((short) 1));
                List<TopicOutcome> first = new TopicSetup(admin).apply(plan);
                assertTrue(first.stream().allMatch(TopicOutcome::created), first.toString());
                assertEquals(plan.size(), first.size());
                // Idempotent: a second run creates nothing and finds everything as planned.
                List<TopicOutcome> second = new TopicSetup(admin).apply(plan);
                assertTrue(second.stream().noneMatch(TopicOutcome::created), second.toString());
                assertTrue(second.stream().allMatch(o -> o.differences().isEmpty()), second.toString());

                ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, Topics.MODELS);
                Config config = admin.describeConfigs(List.of(models)).all().get().get(models);
                assertEquals("compact", config.get("cleanup.policy").value());
                assertEquals(String.valueOf(PipelineTopics.MODELS_MAX_MESSAGE_BYTES),
                        config.get("max.message.bytes").value());
                assertEquals(1, admin.describeTopics(List.of(Topics.MODELS)).allTopicNames().get()
                        .get(Topics.MODELS).partitions().size());
            }

            SchemaRegistryClient client = new SchemaRegistryClient(registry.url());
            DeadLetter sent = DeadLetter.newBuilder().setReason(DeadLetterReason.EMPTY_TEXT).setDetail("probe")
                    .setSourceTopic(Topics.REVIEWS).setSourcePartition(0).setSourceOffset(7).setRecordId("probe:1")
                    .setFailedAt(Instant.ofEpochMilli(Instant.now().toEpochMilli())).build();
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new AvroSerializer<DeadLetter>(client, DeadLetter.getClassSchema(), true, false))) {
                producer.send(new ProducerRecord<>(Topics.REVIEWS_DLQ, 0, "probe:1", sent)).get();
            }
            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new StringDeserializer(),
                    new AvroDeserializer<DeadLetter>(new SchemaRegistryClient(registry.url()), DeadLetter.getClassSchema()))) {
                TopicPartition partition = new TopicPartition(Topics.REVIEWS_DLQ, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                List<ConsumerRecord<String, DeadLetter>> received = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                }
                assertEquals(1, received.size());
                assertEquals(sent, received.get(0).value());
            }
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child " + pid + " still running");
        }
        assertTrue(deaths.isEmpty(), "a stop asked for is not a death: " + deaths);
    }

    @Test
    void aDeadBrokerIsReportedAndTheRegistryStopped() throws Exception {
        try (ChildProcesses children = new ChildProcesses(workdir.resolve("logs"), GRACE, death -> { })) {
            LocalKafka kafka = LocalKafka.start(children, workdir);
            LocalRegistry registry = LocalRegistry.start(children, workdir);

            kafka.child().process().destroyForcibly();

            ChildDeath death = children.awaitDeath(Duration.ofSeconds(60)).orElseThrow(
                    () -> new AssertionError("no death reported within 60 s"));
            assertEquals(LocalKafka.NAME, death.name());
            assertEquals(kafka.child().pid(), death.pid());
            assertEquals(137, death.exitCode(), "SIGKILL");
            assertFalse(death.lastLines().isEmpty(), "the report carries the broker's last log lines");
            assertTrue(death.describe().contains("kafka"), death.describe());
            // Reported after the others were stopped.
            assertFalse(registry.child().process().isAlive(), "registry still running after the broker died");
            assertFalse(ProcessHandle.of(registry.child().pid()).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    @Test
    void aSecondStartOnTheSameFolderContinuesTheFirstOnesData() throws Exception {
        int schemaId;
        try (ChildProcesses children = new ChildProcesses(workdir.resolve("logs"), GRACE, death -> { })) {
            LocalKafka kafka = LocalKafka.start(children, workdir);
            LocalRegistry registry = LocalRegistry.start(children, workdir);
            assertFalse(kafka.reused());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                // Someone made reviews their own way first: it is left alone, and the differences reported.
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(Topics.REVIEWS, 3, (short) 1)
                        .configs(Map.of("retention.ms", "3600000"))))
                        .all().get();
                List<TopicOutcome> outcomes = new TopicSetup(admin).apply(PipelineTopics.plan(2, Optional.empty()));
                TopicOutcome reviews = outcomes.get(0);
                assertEquals(Topics.REVIEWS, reviews.topic());
                assertFalse(reviews.created());
                assertEquals(List.of("3 partitions, plan 2", "retention.ms=3600000, plan 604800000"),
                        reviews.differences());
                assertEquals(3, admin.describeTopics(List.of(Topics.REVIEWS)).allTopicNames().get()
                        .get(Topics.REVIEWS).partitions().size(), "an existing topic was changed");
            }
            schemaId = new SchemaRegistryClient(registry.url()).register("reviews.dlq-value", DeadLetter.getClassSchema());
        }
        try (ChildProcesses children = new ChildProcesses(workdir.resolve("logs"), GRACE, death -> { })) {
            LocalKafka kafka = LocalKafka.start(children, workdir);
            LocalRegistry registry = LocalRegistry.start(children, workdir);
            assertTrue(kafka.reused());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertTrue(admin.listTopics().names().get().contains(Topics.MODELS), "topics of the first run are gone");
            }
            // The same schema keeps its id, so records written in the first run still decode.
            assertEquals(DeadLetter.getClassSchema(), new SchemaRegistryClient(registry.url()).schemaById(schemaId));
            assertEquals(schemaId, new SchemaRegistryClient(registry.url())
                    .register("reviews.dlq-value", DeadLetter.getClassSchema()));
        }
    }
}
