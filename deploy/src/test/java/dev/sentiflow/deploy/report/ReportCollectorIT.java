package dev.sentiflow.deploy.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.DomainScore;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.LiveRole;
import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.deploy.Pipeline;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The collector on a real broker and registry: real Avro records on the four topics, one round's
 * records in an aborted transaction (never shown), one undecodable record (a note, not a failure);
 * then {@code pipeline report --config} writes the page from the same cluster.
 */
class ReportCollectorIT {

    private static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");

    private static EmbeddedKafka kafka;
    private static ApicurioRegistry registry;
    private static KafkaProducer<byte[], byte[]> producer;
    private static SchemaRegistryClient registryClient;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        registry = ApicurioRegistry.start();
        registryClient = new SchemaRegistryClient(registry.confluentApiUrl());
        kafka.createTopics(1, Topics.TRAINING_METRICS, Topics.LIVE_METRICS, Topics.MODELS);
        kafka.createTopics(2, Topics.PREDICTIONS);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "report-collector-it"), new ByteArraySerializer(),
                new ByteArraySerializer());
        producer.initTransactions();
        write();
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void collectsWhatTheTopicsHold() {
        ReportData data = new ReportCollector(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), registryClient, "it", Duration.ofSeconds(60)).collect();

        // Rounds: r1 published, r2 refused, r2 again published; the aborted r2 steps are not there.
        assertEquals(List.of("default r1", "default r2", "default r2 (attempt 2)"),
                data.lossCurves().stream().map(LossCurve::title).toList());
        assertEquals(List.of(5, 4, 4), data.lossCurves().stream().map(c -> c.trainLoss().size()).toList());
        assertEquals(0.5, data.lossCurves().get(1).trainLoss().get(0), 1e-9, "the committed r2, not the aborted one");
        assertEquals(List.of(new LossCurve.EvalLoss(1, 5, 0.3)), data.lossCurves().get(0).evalLoss());
        assertEquals(List.of("PUBLISH", "REFUSE", "PUBLISH"), data.rounds().stream().map(RoundOutcome::decision).toList());
        RoundOutcome refused = data.rounds().get(1);
        assertEquals("VOLUME", refused.trigger());
        assertEquals("forgetting in yelp", refused.reason());
        assertEquals(new Scores(40, 0.8, 0.75), refused.perDomain().get("yelp"));
        assertEquals(new Scores(100, 0.9, 0.9), data.rounds().get(0).heldOut());
        assertEquals(300, data.rounds().get(0).trainExamples());

        // Predictions: 8 scored, 6 labeled; v1 all right, v2 two of three.
        assertEquals(8, data.predictions());
        assertEquals(6, data.labeledPredictions());
        assertEquals(List.of(1L, 2L), data.liveScores().stream().map(VersionScores::version).toList());
        assertEquals(1.0, data.liveScores().get(0).overall().accuracy(), 1e-9);
        assertEquals(2.0 / 3, data.liveScores().get(1).overall().accuracy(), 1e-9);
        assertEquals(1.0, data.liveScores().get(1).perDomain().get("imdb").accuracy(), 1e-9);
        Confusion confusion = data.confusions().get(0);
        assertEquals(2, confusion.version());
        assertEquals(List.of("negative", "positive"), confusion.labels(), "the checkpoint's label order");
        assertArrayEquals(new long[] {1, 1}, confusion.counts()[0]);
        assertArrayEquals(new long[] {0, 1}, confusion.counts()[1]);
        assertEquals(8, data.traffic().stream().mapToLong(TrafficBucket::predictions).sum());
        double p50 = data.traffic().stream().filter(b -> b.predictions() > 0).findFirst().orElseThrow().p50Millis();
        assertEquals(120, p50, 120 * 0.03, "latency scoredAt - eventTime");

        // Live metrics and the checkpoint.
        assertEquals(2, data.live().size());
        assertNull(data.live().get(0).decision());
        assertEquals("PROMOTED v2 over v1", data.live().get(1).decision());
        assertEquals(1, data.versions().size());
        assertEquals(10, data.versions().get(0).bytes());

        assertEquals(1, data.notes().size(), data.notes().toString());
        assertTrue(data.notes().get(0).startsWith("1 record(s) of predictions could not be read"), data.notes().get(0));
    }

    /** A registry that does not answer ends the report at once, saying so, instead of waiting on it record by record. */
    @Test
    void aRegistryThatDoesNotAnswerEndsTheReportSayingSo() {
        long begin = System.nanoTime();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new ReportCollector(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                        new SchemaRegistryClient("http://127.0.0.1:1"), "it", Duration.ofSeconds(60)).collect());
        double seconds = (System.nanoTime() - begin) / 1e9;
        assertTrue(e.getMessage().contains("schema registry does not answer"), e.getMessage());
        assertTrue(seconds < 60, "ended after " + seconds + " s");
    }

    @Test
    void reportCommandWritesThePageFromARunningCluster() throws Exception {
        Path config = dir.resolve("client.properties");
        Files.writeString(config, "bootstrap.servers=" + kafka.bootstrapServers() + "\nschema.registry.url="
                + registry.confluentApiUrl() + "\n");
        Path page = dir.resolve("out/report.html");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = Pipeline.launcher().commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        assertEquals(0, line.execute("report", "--config", config.toString(), "--out", page.toString()), err.toString());
        assertTrue(out.toString().startsWith("report: " + page.toAbsolutePath()), out.toString());
        assertTrue(out.toString().contains("3 round(s) (2 published), 8 predictions (6 labeled)"), out.toString());
        String html = Files.readString(page);
        assertEquals(3, ReportPageTest.figures(html).stream().filter(f -> f[0].equals("loss")).count());
        assertTrue(html.contains("data-chart=\"confusion\" data-model=\"default\" data-version=\"2\""));
    }

    @Test
    void localWritesTheReportIntoItsWorkFolderAtTheEnd() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (dev.sentiflow.deploy.local.ChildProcesses children = new dev.sentiflow.deploy.local.ChildProcesses(
                dir.resolve("logs"), Duration.ofSeconds(5), d -> { })) {
            ReportFile.writeAtEnd(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    registry.confluentApiUrl(), dir, children, new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("local: report " + dir.resolve(ReportFile.NAME)), printed);
        assertTrue(Files.readString(dir.resolve(ReportFile.NAME)).contains("data-chart=\"loss\""));
    }

    private static void write() {
        // r1: 5 steps, an epoch, its ROUND record, committed together as the trainer does.
        transaction(true, steps(1, 5, 0.7), epoch(1, 5, 0.3), round(1, "PUBLISH", "beats the baseline"));
        // an r2 whose transaction aborted (a trainer killed mid-commit): never visible
        transaction(false, steps(2, 7, 0.9));
        transaction(true, steps(2, 4, 0.5), round(2, "REFUSE", "forgetting in yelp"));
        transaction(true, steps(2, 4, 0.4), round(2, "PUBLISH", "beats v1"));

        List<String[]> predictions = List.of(
                new String[] {"1", "positive", "positive", "yelp"}, new String[] {"1", "negative", "negative", "yelp"},
                new String[] {"1", "positive", "positive", "imdb"}, new String[] {"2", "negative", "negative", "imdb"},
                new String[] {"2", "positive", "negative", "yelp"}, new String[] {"2", "positive", "positive", "yelp"},
                new String[] {"2", "positive", null, "yelp"}, new String[] {"2", "negative", null, "imdb"});
        producer.beginTransaction();
        int i = 0;
        for (String[] p : predictions) {
            Instant scored = T0.plusSeconds(i);
            Prediction prediction = Prediction.newBuilder().setId("r" + i).setLabel(p[1])
                    .setProbabilities(Map.of("negative", p[1].equals("negative") ? 0.9 : 0.1, "positive",
                            p[1].equals("positive") ? 0.9 : 0.1))
                    .setModelName("default").setModelVersion(Long.parseLong(p[0])).setTrueLabel(p[2])
                    .setEventTime(scored.minusMillis(120)).setScoredAt(scored).setDomain(p[3]).build();
            send(Topics.PREDICTIONS, i % 2, prediction);
            i++;
        }
        producer.send(new ProducerRecord<>(Topics.PREDICTIONS, 0, "bad".getBytes(StandardCharsets.UTF_8),
                "not avro".getBytes(StandardCharsets.UTF_8)));
        send(Topics.LIVE_METRICS, 0, live(1, null));
        send(Topics.LIVE_METRICS, 0, live(2, "PROMOTED v2 over v1"));
        send(Topics.MODELS, 0, ModelCheckpoint.newBuilder().setName("default").setVersion(2)
                .setKind(CheckpointKind.ADAPTER).setBaseModelHash("abc").setTokenizerId("bert-base-uncased")
                .setLabels(List.of("negative", "positive")).setChunkIndex(0).setChunkCount(1).setSha256("00")
                .setPayload(ByteBuffer.wrap(new byte[10])).setMetrics(Map.of("accuracy", 0.91))
                .setCreatedAt(T0).build());
        producer.commitTransaction();
    }

    private static void transaction(boolean commit, Object... records) {
        producer.beginTransaction();
        for (Object r : records) {
            if (r instanceof List<?> list) {
                list.forEach(m -> send(Topics.TRAINING_METRICS, 0, (SpecificRecord) m));
            } else {
                send(Topics.TRAINING_METRICS, 0, (SpecificRecord) r);
            }
        }
        producer.flush();
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static List<TrainingMetrics> steps(long round, int n, double firstLoss) {
        return java.util.stream.IntStream.rangeClosed(1, n).mapToObj(s -> metrics(round, MetricsScope.STEP, 1, s,
                Map.of("train_loss", firstLoss - 0.01 * (s - 1), "lr", 5e-4), Map.of(), Map.of())).toList();
    }

    private static TrainingMetrics epoch(long round, long step, double evalLoss) {
        return metrics(round, MetricsScope.EPOCH, 1, step, Map.of("eval_loss", evalLoss, "accuracy", 0.9), Map.of(),
                Map.of());
    }

    private static TrainingMetrics round(long round, String decision, String reason) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("trigger", "VOLUME");
        labels.put("trigger_detail", "500 new labels");
        labels.put("champion", round == 1 ? "none" : "v1");
        labels.put("decision", decision);
        labels.put("reason", reason);
        labels.put("table", "domain n champion candidate\n");
        return metrics(round, MetricsScope.ROUND, 0, 0, Map.of("accuracy", 0.9, "macro_f1", 0.9, "eval_examples", 100.0,
                "train_examples", 300.0, "wall_seconds", 61.5, "train_samples_per_s", 48.0), labels,
                Map.of("yelp", Map.of("count", 40.0, "accuracy", 0.8, "macro_f1", 0.75)));
    }

    private static TrainingMetrics metrics(long round, MetricsScope scope, int epoch, long step,
            Map<String, Double> values, Map<String, String> labels, Map<String, Map<String, Double>> perDomain) {
        return TrainingMetrics.newBuilder().setModelName("default").setRound(round).setScope(scope).setEpoch(epoch)
                .setStep(step).setValues(values).setLabels(labels).setPerDomain(perDomain).setCreatedAt(T0).build();
    }

    private static LiveMetrics live(long version, String decision) {
        return LiveMetrics.newBuilder().setModelName("default").setModelVersion(version).setRole(LiveRole.CHAMPION)
                .setWindowStart(T0).setWindowEnd(T0.plusSeconds(30 * version)).setLabeledCount(3).setAccuracy(0.9)
                .setMacroF1(0.88).setPerDomain(Map.of("yelp", DomainScore.newBuilder().setCount(3).setAccuracy(0.9)
                        .setMacroF1(0.88).build())).setDecision(decision).setCreatedAt(T0).build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void send(String topic, int partition, SpecificRecord record) {
        AvroSerializer serializer = new AvroSerializer(registryClient, record.getSchema(), true, false);
        producer.send(new ProducerRecord<>(topic, partition, "default".getBytes(StandardCharsets.UTF_8),
                serializer.serialize(topic, record)));
    }
}
