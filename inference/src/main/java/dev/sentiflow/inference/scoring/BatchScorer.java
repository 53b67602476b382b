package dev.sentiflow.inference.scoring;

import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.inference.models.ServedVersion;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.inference.rollout.RolloutDecision;
import dev.sentiflow.inference.rollout.RolloutPolicy;
import dev.sentiflow.inference.rollout.Rollouts;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores one micro-batch. Each row is routed to the model named by its domain when one of that name
 * is served, else to the default model; the version of each model is taken ONCE for the whole batch
 * (a {@link dev.sentiflow.inference.models.Lease}), so every prediction of a batch names the version that really scored it even if
 * a swap lands meanwhile. Rows whose token ids come from another tokenizer than their model's are
 * refused (ids of another vocabulary would be scored as garbage); rows whose model is not served yet
 * are held for a later batch. Where a model has a shadow (a challenger, or the predecessor of a
 * promoted version) its labeled rows are scored by the shadow as well, for the {@link Rollouts}
 * comparison; predictions always come from the champion.
 *
 * <p>Safe on several stream threads at once: the shared block is only read.
 */
public final class BatchScorer {

    private static final Logger LOG = LoggerFactory.getLogger(BatchScorer.class);

    /** A row in: a key unique within the batch, by which its outcome is reported, and the review. */
    public record Input(long key, TokenizedReview review) {}

    /** A row out. */
    public record Scored(long key, Prediction prediction) {}

    /** A row that can never be scored as it is, with a sentence saying why. */
    public record Refused(long key, String detail) {}

    /**
     * What became of each row of a batch: scored, refused, or held (no model for it yet); and the
     * rollout decisions its labeled rows completed, proposed for the live-metrics topic (applied once committed).
     */
    public record Outcome(List<Scored> scored, List<Refused> refused, List<Long> held,
            List<RolloutDecision> decisions) {}

    private final ModelRegistry models;
    private final OnnxScorer scorer;
    private final String defaultModel;
    private final Clock clock;
    private final Rollouts rollouts;
    private final Set<String> warnedMismatches = ConcurrentHashMap.newKeySet();
    private final AtomicLong tokenizerMismatches = new AtomicLong();

    public BatchScorer(ModelRegistry models, OnnxScorer scorer, String defaultModel, Clock clock) {
        this(models, scorer, defaultModel, clock, RolloutPolicy.DEFAULTS);
    }

    public BatchScorer(ModelRegistry models, OnnxScorer scorer, String defaultModel, Clock clock,
            RolloutPolicy rollout) {
        this.models = models;
        this.scorer = scorer;
        this.defaultModel = defaultModel;
        this.clock = clock;
        this.rollouts = new Rollouts(rollout, clock);
    }

    public Outcome score(List<Input> batch) {
        Map<String, ModelRegistry.Held> leases = new HashMap<>();
        try {
            // One state (champion and shadow) per model name for the whole batch, taken before any row is scored.
            leases.put(defaultModel, models.hold(defaultModel).orElse(null));
            for (Input in : batch) {
                leases.computeIfAbsent(in.review().getDomain(), d -> models.hold(d).orElse(null));
            }
            Map<String, List<Input>> groups = new LinkedHashMap<>();
            List<Refused> refused = new ArrayList<>();
            List<Long> held = new ArrayList<>();
            for (Input in : batch) {
                String domain = in.review().getDomain();
                String route = leases.get(domain) != null ? domain : defaultModel;
                ModelRegistry.Held lease = leases.get(route);
                if (lease == null) {
                    held.add(in.key());
                    continue;
                }
                Optional<String> mismatch = tokenizerMismatch(in.review(), lease.champion().version());
                if (mismatch.isPresent()) {
                    refused.add(new Refused(in.key(), mismatch.get()));
                    continue;
                }
                groups.computeIfAbsent(route, r -> new ArrayList<>()).add(in);
            }
            List<Scored> scored = new ArrayList<>(batch.size());
            List<RolloutDecision> decisions = new ArrayList<>();
            groups.forEach((route, rows) -> {
                ModelRegistry.Held state = leases.get(route);
                int before = scored.size();
                scoreGroup(state.champion().version(), rows, scored, refused);
                state.shadow().ifPresent(shadow -> shadowScore(state.champion().version(), shadow.version(),
                        state.role(), scored.subList(before, scored.size()), rows).ifPresent(decisions::add));
            });
            return new Outcome(scored, refused, held, decisions);
        } finally {
            leases.values().forEach(lease -> {
                if (lease != null) {
                    lease.close();
                }
            });
        }
    }

    private void scoreGroup(ServedVersion version, List<Input> rows, List<Scored> scored, List<Refused> refused) {
        List<int[]> ids = rows.stream().map(in -> toArray(in.review().getTokenIds())).toList();
        List<dev.sentiflow.modeldata.metrics.Scored> results;
        try {
            results = scorer.score(ids, version.onnx());
        } catch (RuntimeException e) {
            // One bad row must not fail its neighbours forever: score them one by one.
            LOG.warn("a batch of {} rows failed on {} ({}); scoring its rows one at a time", rows.size(), version,
                    e.toString());
            for (Input in : rows) {
                try {
                    dev.sentiflow.modeldata.metrics.Scored one = scorer.score(
                            List.of(toArray(in.review().getTokenIds())), version.onnx()).get(0);
                    scored.add(new Scored(in.key(), prediction(in.review(), version, one)));
                } catch (RuntimeException single) {
                    refused.add(new Refused(in.key(), "scoring with " + version + " failed: " + single));
                }
            }
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            scored.add(new Scored(rows.get(i).key(), prediction(rows.get(i).review(), version, results.get(i))));
        }
    }

    /**
     * Scores the labeled rows of a group with the shadow too (its verdicts are never published) and
     * adds both verdicts to the rollout comparison. A shadow that fails to score, or reads another
     * tokenizer's ids, is left out of this batch; the champion's predictions stand.
     */
    private Optional<RolloutDecision> shadowScore(ServedVersion champion, ServedVersion shadow,
            ModelRegistry.ShadowRole role, List<Scored> scoredRows, List<Input> rows) {
        if (!shadow.labels().equals(champion.labels())) {
            return Optional.empty();
        }
        Map<Long, Input> byKey = new HashMap<>();
        rows.forEach(in -> byKey.put(in.key(), in));
        List<int[]> ids = new ArrayList<>();
        List<Integer> truth = new ArrayList<>();
        List<Integer> championPredicted = new ArrayList<>();
        for (Scored s : scoredRows) {
            Input in = byKey.get(s.key());
            int t = in.review().getLabel() == null ? -1 : champion.labels().indexOf(in.review().getLabel());
            if (t < 0 || !in.review().getTokenizerId().equals(shadow.tokenizerId())) {
                continue;
            }
            ids.add(toArray(in.review().getTokenIds()));
            truth.add(t);
            championPredicted.add(champion.labels().indexOf(s.prediction().getLabel()));
        }
        if (ids.isEmpty()) {
            return Optional.empty();
        }
        List<dev.sentiflow.modeldata.metrics.Scored> shadowed;
        try {
            shadowed = scorer.score(ids, shadow.onnx());
        } catch (RuntimeException e) {
            LOG.warn("shadow {} failed on {} labeled rows ({}); this batch is left out of its comparison", shadow,
                    ids.size(), e.toString());
            return Optional.empty();
        }
        int[] shadowPredicted = shadowed.stream().mapToInt(dev.sentiflow.modeldata.metrics.Scored::predicted)
                .toArray();
        return rollouts.record(champion.name(), champion.version(), shadow.version(), role, champion.labels(),
                truth.stream().mapToInt(Integer::intValue).toArray(),
                championPredicted.stream().mapToInt(Integer::intValue).toArray(), shadowPredicted);
    }

    private Optional<String> tokenizerMismatch(TokenizedReview review, ServedVersion version) {
        if (review.getTokenizerId().equals(version.tokenizerId())) {
            return Optional.empty();
        }
        tokenizerMismatches.incrementAndGet();
        String detail = "token ids were made by tokenizer " + review.getTokenizerId() + " but model " + version
                + " reads ids of tokenizer " + version.tokenizerId() + "; tokenize with that model's tokenizer.json";
        if (warnedMismatches.add(review.getTokenizerId() + "->" + version.name() + "@" + version.version())) {
            LOG.warn("refusing reviews tokenized by {} for model {} (expects {}); they go to the DLQ (said once per "
                    + "tokenizer and version; counted after that)", review.getTokenizerId(), version,
                    version.tokenizerId());
        }
        return Optional.of(detail);
    }

    private Prediction prediction(TokenizedReview review, ServedVersion version,
            dev.sentiflow.modeldata.metrics.Scored result) {
        List<String> labels = version.labels();
        Map<String, Double> probabilities = new LinkedHashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            probabilities.put(labels.get(c), (double) result.probabilities()[c]);
        }
        return Prediction.newBuilder()
                .setId(review.getId())
                .setLabel(labels.get(result.predicted()))
                .setProbabilities(probabilities)
                .setModelName(version.name())
                .setModelVersion(version.version())
                .setModelSha256(version.sha256())
                .setDomain(review.getDomain())
                .setTrueLabel(review.getLabel())
                .setEventTime(review.getEventTime())
                .setScoredAt(clock.instant())
                .build();
    }

    /** Rows refused because their tokenizer differs from their model's, since start. */
    public long tokenizerMismatches() {
        return tokenizerMismatches.get();
    }

    private static int[] toArray(List<Integer> ids) {
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }
}
