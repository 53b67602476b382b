package dev.sentiflow.deploy.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.DomainScore;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.LiveRole;
import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TrainingMetrics;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordLinesTest {

    private static final Instant T = Instant.ofEpochMilli(1_700_000_000_000L);

    private static Prediction prediction(String trueLabel) {
        return Prediction.newBuilder().setId("uci:42").setLabel("positive")
                .setProbabilities(Map.of("positive", 0.9312, "negative", 0.0688)).setModelName("default")
                .setModelVersion(3).setTrueLabel(trueLabel).setEventTime(T).setScoredAt(T).build();
    }

    @Test
    void predictions() {
        assertEquals("pred  uci:42  positive 0.93  default v3  (true positive)", RecordLines.prediction(prediction("positive")));
        assertEquals("pred  uci:42  positive 0.93  default v3  (true negative, missed)",
                RecordLines.prediction(prediction("negative")));
        assertEquals("pred  uci:42  positive 0.93  default v3", RecordLines.prediction(prediction(null)));
    }

    @Test
    void roundsSayWhatWasDecidedAndWhy() {
        TrainingMetrics round = TrainingMetrics.newBuilder().setModelName("default").setRound(3).setScope(MetricsScope.ROUND)
                .setValues(Map.of("macro_f1", 0.9012, "accuracy", 0.91)).setCreatedAt(T)
                .setLabels(Map.of("trigger", "VOLUME", "decision", "PUBLISHED"))
                .setPerDomain(Map.of("yelp", Map.of("count", 120.0, "accuracy", 0.9))).build();
        assertEquals("round default r3  accuracy 0.9100 macro_f1 0.9012  decision=PUBLISHED trigger=VOLUME"
                + "  [yelp accuracy 0.9000 count 120]", RecordLines.trainingMetrics(round));
        TrainingMetrics step = TrainingMetrics.newBuilder(round).setScope(MetricsScope.STEP).setStep(120)
                .setValues(Map.of("train_loss", 0.4123, "lr", 0.00041)).setLabels(Map.of()).setPerDomain(Map.of()).build();
        assertEquals("step default r3 step 120  lr 4.10e-04 train_loss 0.4123", RecordLines.trainingMetrics(step));
    }

    @Test
    void liveMetricsAndDeadLetters() {
        LiveMetrics live = LiveMetrics.newBuilder().setModelName("default").setModelVersion(3).setRole(LiveRole.CHAMPION)
                .setWindowStart(T).setWindowEnd(T).setLabeledCount(412).setAccuracy(0.9123).setMacroF1(0.905)
                .setPerDomain(Map.of("amazon", new DomainScore(140L, 0.93, 0.92)))
                .setDecision("PROMOTED v3 over v2: 0.91 vs 0.89").setCreatedAt(T).build();
        assertEquals("live  default v3 CHAMPION  412 labeled  acc 0.912 f1 0.905  [amazon 0.930 (140)]  "
                + "PROMOTED v3 over v2: 0.91 vs 0.89", RecordLines.liveMetrics(live));
        DeadLetter dead = DeadLetter.newBuilder().setReason(DeadLetterReason.EMPTY_TEXT).setDetail("the text is blank")
                .setSourceTopic("reviews").setSourcePartition(1).setSourceOffset(42).setRecordId("uci:17")
                .setFailedAt(T).build();
        assertEquals("dlq   uci:17  EMPTY_TEXT  reviews[1]@42  the text is blank", RecordLines.deadLetter(dead));
    }
}
