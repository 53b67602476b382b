package dev.sentiflow.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.CheckpointKind;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.model.train.TrainingMode;
import dev.sentiflow.schemas.checkpoint.CheckpointHeader;
import dev.sentiflow.schemas.checkpoint.CheckpointSigner;
import dev.sentiflow.schemas.checkpoint.SignatureCheck;
import dev.sentiflow.schemas.config.ConfigMarkdown;
import dev.sentiflow.trainer.trigger.TriggerPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TrainerConfigTest {

    @Test
    void defaultsMatchThePartsTheyConfigure() {
        TrainerConfig config = new TrainerConfig(Map.of());
        assertEquals(TriggerPolicy.DEFAULTS, config.triggerPolicy());
        assertEquals(0.01, config.gate().tolerance());
        assertEquals(50, config.gate().minDomainExamples());
        assertEquals(0.1, config.evalSplit().evalShare());
        assertEquals(TrainingMode.LORA, config.trainingMode());
        assertEquals(TrainFrom.CHAMPION, config.trainFrom());
        assertTrue(config.signer().isEmpty());
        assertEquals(900 * 1024, config.chunker().maxChunkBytes());
        assertEquals("default", config.modelFor("yelp"));
        assertEquals("yelp", new TrainerConfig(Map.of("model.per.domain", "true")).modelFor("yelp"));
    }

    /** One name per setting across services: the trainer reads live metrics under inference's key. */
    @Test
    void sharedSettingsHaveInferencesNamesAndTheOldNameSaysWhatToWrite() {
        TrainerConfig config = new TrainerConfig(Map.of("topic.metrics.live", "live", "checkpoint.max.pending.bytes",
                "1024"));
        assertEquals("live", config.getString(TrainerConfig.LIVE_METRICS_TOPIC));
        assertEquals(1024L, config.getLong(TrainerConfig.CHECKPOINT_MAX_PENDING_BYTES));
        ConfigException e = assertThrows(ConfigException.class, () -> new TrainerConfig(Map.of("topic.live.metrics",
                "live")));
        assertTrue(e.getMessage().contains("renamed 'topic.metrics.live'"), e.getMessage());
    }

    /** The LoRA shape is set under the names inference reads, so one value in both configs makes them agree. */
    @Test
    void theLoraShapeIsASettingWithInferencesNames() {
        assertEquals(dev.sentiflow.modeldata.config.LoraConfig.defaults(), new TrainerConfig(Map.of()).loraConfig().orElseThrow());
        var lora = new TrainerConfig(Map.of("lora.r", "16", "lora.alpha", "16", "lora.targets", "query,key,value"))
                .loraConfig().orElseThrow();
        assertEquals(16, lora.r());
        assertEquals(16f, lora.alpha());
        assertEquals(List.of("query", "key", "value"), lora.targets());
        assertTrue(new TrainerConfig(Map.of("training.mode", "full")).loraConfig().isEmpty());
        assertNamed("lora.targets", Map.of("lora.targets", "nonsense"));
    }

    @Test
    void badValuesNameTheOption() {
        assertNamed("eval.share", Map.of("eval.share", "0.9"));
        assertNamed("training.mode", Map.of("training.mode", "qlora"));
        assertNamed("train.from", Map.of("train.from", "scratch"));
        assertNamed("epochs", Map.of("epochs", "0"));
        assertNamed("round.max.wait.ms", Map.of("round.max.wait.ms", "soon"));
        assertNamed("round.min.examples", Map.of("round.size", "100", "round.min.examples", "200"));
    }

    private static void assertNamed(String option, Map<String, String> values) {
        ConfigException e = assertThrows(ConfigException.class, () -> new TrainerConfig(values));
        assertTrue(e.getMessage().contains(option), e.getMessage());
    }

    @Test
    void kafkaSettingsReachEveryClientAndUnknownKeysAreRefused() {
        TrainerConfig config = new TrainerConfig(Map.of("kafka.security.protocol", "SASL_SSL",
                "kafka.consumer.max.poll.records", "50", "epochs", "2"));
        assertEquals(Map.of("security.protocol", "SASL_SSL", "max.poll.records", "50"), config.clients().consumer());
        assertEquals(Map.of("security.protocol", "SASL_SSL"), config.clients().producer());
        assertEquals(2, config.getInt(TrainerConfig.EPOCHS));
        assertNamed("epoks", Map.of("epoks", "2"));
        assertNamed("kafka.isolation.level", Map.of("kafka.isolation.level", "read_uncommitted"));
    }

    @Test
    void aSigningKeySignsPublishedCheckpoints() {
        TrainerConfig config = new TrainerConfig(Map.of("checkpoint.signing.key", "s3cret", "training.mode", "full"));
        assertEquals(TrainingMode.FULL, config.trainingMode());
        CheckpointSigner signer = config.signer().orElseThrow();
        ModelCheckpoint chunk = config.chunker().chunk(CheckpointHeader.builder("m", 1, CheckpointKind.FULL)
                .baseModelHash("b").tokenizerId("t").labels(List.of("neg", "pos")).createdAt(Instant.EPOCH).build(),
                new byte[10]).get(0);
        byte[] signature = new byte[chunk.getSignature().remaining()];
        chunk.getSignature().duplicate().get(signature);
        assertEquals(SignatureCheck.VALID, signer.verify(CheckpointHeader.of(chunk), chunk.getSha256(), signature));
        assertEquals(SignatureCheck.WRONG_KEY, CheckpointSigner.fromSecret("other").orElseThrow()
                .verify(CheckpointHeader.of(chunk), chunk.getSha256(), signature));
    }

    @Test
    void readmeTableIsGeneratedFromTheDeclarations() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String table = ConfigMarkdown.table(TrainerConfig.DEFINITION);
        assertTrue(readme.contains(table), "trainer/README.md's configuration table is out of date; replace it with:\n"
                + table);
    }
}
