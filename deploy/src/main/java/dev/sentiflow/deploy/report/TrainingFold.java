package dev.sentiflow.deploy.report;

import dev.sentiflow.avro.TrainingMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns {@code training.metrics} records, in topic order, into loss curves and round outcomes. The
 * trainer commits a round's STEP and EPOCH records and then its ROUND record in one transaction, so
 * everything of a model since its last ROUND record belongs to the round that ROUND record closes.
 * A round number seen again (a refused round leaves its version free) is a new attempt.
 */
public final class TrainingFold {

    private static final class Open {
        final long round;
        final TreeMap<Long, Double> steps = new TreeMap<>();
        final List<LossCurve.EvalLoss> evals = new ArrayList<>();

        Open(long round) {
            this.round = round;
        }
    }

    private final Map<String, Open> open = new LinkedHashMap<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final List<LossCurve> curves = new ArrayList<>();
    private final List<RoundOutcome> rounds = new ArrayList<>();

    public void add(TrainingMetrics m) {
        String model = m.getModelName();
        Open current = open.get(model);
        if (current != null && current.round != m.getRound()) {
            // A round without its ROUND record (not written by this trainer version): keep its curve.
            close(model, current);
            current = null;
        }
        if (current == null) {
            current = new Open(m.getRound());
            open.put(model, current);
        }
        Map<String, Double> values = m.getValues();
        switch (m.getScope()) {
            case STEP -> {
                Double loss = values.get("train_loss");
                if (loss != null) {
                    current.steps.put(m.getStep(), loss);
                }
            }
            case EPOCH -> {
                Double loss = values.get("eval_loss");
                if (loss != null) {
                    current.evals.add(new LossCurve.EvalLoss(m.getEpoch(), m.getStep(), loss));
                }
            }
            case ROUND -> {
                int attempt = close(model, current);
                rounds.add(outcome(m, attempt));
            }
        }
    }

    /** The loss curves, in the order their rounds ended; rounds still open last. */
    public List<LossCurve> curves() {
        List<LossCurve> all = new ArrayList<>(curves);
        open.forEach((model, o) -> {
            if (!o.steps.isEmpty() || !o.evals.isEmpty()) {
                all.add(curve(model, o, attempts.getOrDefault(key(model, o.round), 0) + 1));
            }
        });
        return all;
    }

    public List<RoundOutcome> rounds() {
        return List.copyOf(rounds);
    }

    private int close(String model, Open o) {
        int attempt = attempts.merge(key(model, o.round), 1, Integer::sum);
        if (!o.steps.isEmpty() || !o.evals.isEmpty()) {
            curves.add(curve(model, o, attempt));
        }
        open.remove(model);
        return attempt;
    }

    private static LossCurve curve(String model, Open o, int attempt) {
        return new LossCurve(model, o.round, attempt, new ArrayList<>(o.steps.values()), o.evals);
    }

    private static RoundOutcome outcome(TrainingMetrics m, int attempt) {
        Map<String, Double> v = m.getValues();
        Map<String, String> l = m.getLabels();
        Map<String, Scores> perDomain = new TreeMap<>();
        m.getPerDomain().forEach((domain, s) -> perDomain.put(domain, scores(s)));
        return new RoundOutcome(m.getModelName(), m.getRound(), attempt, m.getCreatedAt(), l.getOrDefault("trigger", ""),
                l.getOrDefault("trigger_detail", ""), l.getOrDefault("champion", ""), l.getOrDefault("decision", ""),
                l.getOrDefault("reason", ""), l.getOrDefault("table", ""), scores(v), perDomain,
                Math.round(v.getOrDefault("train_examples", 0.0)), v.getOrDefault("wall_seconds", Double.NaN),
                v.getOrDefault("train_samples_per_s", Double.NaN));
    }

    private static Scores scores(Map<String, Double> s) {
        return new Scores(Math.round(s.getOrDefault("count", s.getOrDefault("eval_examples", 0.0))),
                s.getOrDefault("accuracy", Double.NaN), s.getOrDefault("macro_f1", Double.NaN));
    }

    private static String key(String model, long round) {
        return model + "\u0000" + round;
    }
}
