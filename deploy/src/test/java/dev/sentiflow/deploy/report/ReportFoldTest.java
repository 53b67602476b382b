package dev.sentiflow.deploy.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TrainingMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The folds from topic records to report data, without a broker. */
class ReportFoldTest {

    private static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");

    @Test
    void aRoundWithoutItsRoundRecordKeepsItsCurve() {
        TrainingFold fold = new TrainingFold();
        fold.add(step(1, 1, 0.7));
        fold.add(step(1, 2, 0.6));
        fold.add(step(2, 1, 0.5)); // r1 never wrote a ROUND record
        assertEquals(List.of("default r1", "default r2"), fold.curves().stream().map(LossCurve::title).toList());
        assertEquals(List.of(0.7, 0.6), fold.curves().get(0).trainLoss());
        assertTrue(fold.rounds().isEmpty());
    }

    @Test
    void stepsAreInStepOrder() {
        TrainingFold fold = new TrainingFold();
        fold.add(step(1, 2, 0.6));
        fold.add(step(1, 1, 0.7));
        assertEquals(List.of(0.7, 0.6), fold.curves().get(0).trainLoss());
    }

    @Test
    void latencyQuantilesAreWithinTheirBinWidth() {
        LatencyHistogram h = new LatencyHistogram();
        for (int ms = 1; ms <= 10_000; ms++) {
            h.add(ms);
        }
        assertEquals(5_000, h.quantile(0.5), 5_000 * 0.03);
        assertEquals(9_900, h.quantile(0.99), 9_900 * 0.03);
        LatencyHistogram small = new LatencyHistogram();
        small.add(-5); // a clock ahead of the scorer's
        small.add(7);
        assertEquals(0, small.quantile(0.5));
        assertEquals(7, small.quantile(1.0));
        assertTrue(Double.isNaN(new LatencyHistogram().quantile(0.5)));
    }

    @Test
    void trafficBucketsWidenToStayBoundedAndKeepEmptyBuckets() {
        TrafficFold fold = new TrafficFold();
        // two hours, one prediction a second, with a ten-minute pause
        for (int s = 0; s < 7200; s++) {
            if (s < 3000 || s >= 3600) {
                fold.add(T0.plusSeconds(s), T0.plusSeconds(s).minusMillis(50));
            }
        }
        List<TrafficBucket> buckets = fold.buckets(60);
        assertTrue(buckets.size() <= 60, buckets.size() + " buckets");
        assertEquals(Duration.ofMinutes(5), buckets.get(0).width());
        assertEquals(6600, buckets.stream().mapToLong(TrafficBucket::predictions).sum());
        assertEquals(2, buckets.stream().filter(b -> b.predictions() == 0).count(), "the pause");
        assertTrue(Double.isNaN(buckets.get(10).p50Millis()));
        assertEquals(50, buckets.get(0).p50Millis());
        assertEquals(1.0, buckets.get(0).perSecond(), 1e-9);
    }

    @Test
    void theConfusionMatrixIsTheNewestLabeledVersionsInTheCheckpointsLabelOrder() {
        PredictionFold fold = new PredictionFold();
        fold.add(prediction(1, "positive", "negative"));
        fold.add(prediction(3, "positive", "positive"));
        fold.add(prediction(3, "positive", "negative"));
        fold.add(prediction(4, "positive", null)); // newest, but unlabeled
        List<String> labels = fold.labels(List.of("positive", "negative"));
        assertEquals(List.of("positive", "negative"), labels);
        Confusion c = fold.confusions(labels).get(0);
        assertEquals(3, c.version());
        assertEquals(1, c.count(0, 0));
        assertEquals(1, c.count(1, 0));
        assertEquals(List.of(1L, 3L), fold.scores(labels).stream().map(VersionScores::version).toList());
        assertEquals(4, fold.predictions());
        assertEquals(3, fold.labeled());
    }

    private static TrainingMetrics step(long round, long step, double loss) {
        return TrainingMetrics.newBuilder().setModelName("default").setRound(round).setScope(MetricsScope.STEP)
                .setStep(step).setValues(Map.of("train_loss", loss)).setCreatedAt(T0).build();
    }

    private static Prediction prediction(long version, String label, String trueLabel) {
        return Prediction.newBuilder().setId("x").setLabel(label).setProbabilities(Map.of(label, 0.9))
                .setModelName("default").setModelVersion(version).setTrueLabel(trueLabel).setEventTime(T0)
                .setScoredAt(T0.plusMillis(80)).setDomain("yelp").build();
    }
}
