package dev.sentiflow.trainer.metrics;

import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.model.train.EpochResult;
import dev.sentiflow.model.train.FineTuneListener;
import dev.sentiflow.trainer.gate.GateDecision;
import dev.sentiflow.trainer.round.RoundScores;
import dev.sentiflow.trainer.round.Scores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code training.metrics} records of one round, gathered while it runs: one per optimizer step
 * (loss, learning rate), one per epoch (eval loss, accuracy, macro-F1) and one for the round (trigger,
 * sizes, gate decision with the per-domain table, wall time, samples/s). They are committed in the
 * round's transaction, so the metrics of a round that did not commit are never seen.
 */
public final class RoundMetrics implements FineTuneListener {

    private final String model;
    private final long round;
    private final List<TrainingMetrics> records = new ArrayList<>();

    /** @param round the version this round would publish */
    public RoundMetrics(String model, long round) {
        this.model = model;
        this.round = round;
    }

    @Override
    public void onStep(int epoch, int step, double loss, double learningRate, double gradNorm) {
        records.add(record(MetricsScope.STEP, epoch, step, Map.of("train_loss", loss, "lr", learningRate,
                "grad_norm", gradNorm), Map.of(), Map.of()));
    }

    @Override
    public void onEpoch(EpochResult result, boolean best) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("train_loss", result.trainLoss());
        values.put("eval_loss", result.eval().loss());
        values.put("accuracy", result.eval().accuracy());
        values.put("macro_f1", result.eval().macroF1());
        values.put("train_samples_per_s", result.trainSamplesPerSecond());
        records.add(record(MetricsScope.EPOCH, result.epoch(), result.lastStep(), values,
                Map.of("best_so_far", Boolean.toString(best)), Map.of()));
    }

    /**
     * The round's summary record.
     *
     * @param facts text facts (trigger, device, sizes) beside the decision
     * @param values numbers (wall time, samples/s, example counts) beside the scores
     */
    public void round(GateDecision decision, RoundScores candidate, Map<String, String> facts,
            Map<String, Double> values) {
        Map<String, String> labels = new LinkedHashMap<>(facts);
        labels.put("decision", decision.publish() ? "PUBLISH" : "REFUSE");
        labels.put("reason", decision.reason());
        labels.put("table", decision.table());
        Map<String, Double> all = new LinkedHashMap<>(values);
        all.put("accuracy", candidate.overall().accuracy());
        all.put("macro_f1", candidate.overall().macroF1());
        all.put("eval_examples", (double) candidate.overall().count());
        decision.overall().champion().ifPresent(c -> all.put("champion_macro_f1", c));
        Map<String, Map<String, Double>> perDomain = new LinkedHashMap<>();
        candidate.perDomain().forEach((domain, s) -> perDomain.put(domain, scores(s)));
        records.add(record(MetricsScope.ROUND, 0, 0, all, labels, perDomain));
    }

    public List<TrainingMetrics> records() {
        return List.copyOf(records);
    }

    private static Map<String, Double> scores(Scores s) {
        return Map.of("count", (double) s.count(), "accuracy", s.accuracy(), "macro_f1", s.macroF1());
    }

    private TrainingMetrics record(MetricsScope scope, int epoch, long step, Map<String, Double> values,
            Map<String, String> labels, Map<String, Map<String, Double>> perDomain) {
        return TrainingMetrics.newBuilder().setModelName(model).setRound(round).setScope(scope).setEpoch(epoch)
                .setStep(step).setValues(new LinkedHashMap<>(values)).setLabels(new LinkedHashMap<>(labels))
                .setPerDomain(new LinkedHashMap<>(perDomain)).setCreatedAt(Instant.now()).build();
    }
}
