package dev.sentiflow.inference.scoring;

import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.inference.models.Lease;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.model.infer.ClassifierScorer;
import dev.sentiflow.model.infer.ServedVersion;
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
 * (a {@link Lease}), so every prediction of a batch names the version that really scored it even if
 * a swap lands meanwhile. Rows whose token ids come from another tokenizer than their model's are
 * refused (ids of another vocabulary would be scored as garbage); rows whose model is not served yet
 * are held for a later batch.
 *
 * <p>Safe on several stream threads at once: the shared block is only read.
 */
public final class BatchScorer {

    private static final Logger LOG = LoggerFactory.getLogger(BatchScorer.class);

    /** A row in: its key in the pending store and the review. */
    public record Input(long key, TokenizedReview review) {}

    /** A row out. */
    public record Scored(long key, Prediction prediction) {}

    /** A row that can never be scored as it is, with a sentence saying why. */
    public record Refused(long key, String detail) {}

    /** What became of each row of a batch: scored, refused, or held (no model for it yet). */
    public record Outcome(List<Scored> scored, List<Refused> refused, List<Long> held) {}

    private final ModelRegistry models;
    private final ClassifierScorer scorer;
    private final String defaultModel;
    private final Clock clock;
    private final Set<String> warnedMismatches = ConcurrentHashMap.newKeySet();
    private final AtomicLong tokenizerMismatches = new AtomicLong();

    public BatchScorer(ModelRegistry models, ClassifierScorer scorer, String defaultModel, Clock clock) {
        this.models = models;
        this.scorer = scorer;
        this.defaultModel = defaultModel;
        this.clock = clock;
    }

    public Outcome score(List<Input> batch) {
        Map<String, Lease> leases = new HashMap<>();
        try {
            // One version per model name for the whole batch, taken before any row is scored.
            leases.put(defaultModel, models.acquire(defaultModel).orElse(null));
            for (Input in : batch) {
                leases.computeIfAbsent(in.review().getDomain(), d -> models.acquire(d).orElse(null));
            }
            Map<String, List<Input>> groups = new LinkedHashMap<>();
            List<Refused> refused = new ArrayList<>();
            List<Long> held = new ArrayList<>();
            for (Input in : batch) {
                String domain = in.review().getDomain();
                String route = leases.get(domain) != null ? domain : defaultModel;
                Lease lease = leases.get(route);
                if (lease == null) {
                    held.add(in.key());
                    continue;
                }
                Optional<String> mismatch = tokenizerMismatch(in.review(), lease.version());
                if (mismatch.isPresent()) {
                    refused.add(new Refused(in.key(), mismatch.get()));
                    continue;
                }
                groups.computeIfAbsent(route, r -> new ArrayList<>()).add(in);
            }
            List<Scored> scored = new ArrayList<>(batch.size());
            groups.forEach((route, rows) -> scoreGroup(leases.get(route).version(), rows, scored, refused));
            return new Outcome(scored, refused, held);
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
        List<ClassifierScorer.Scored> results;
        try {
            results = scorer.score(ids, version.store());
        } catch (RuntimeException e) {
            // One bad row must not fail its neighbours forever: score them one by one.
            LOG.warn("a batch of {} rows failed on {} ({}); scoring its rows one at a time", rows.size(), version,
                    e.toString());
            for (Input in : rows) {
                try {
                    ClassifierScorer.Scored one = scorer.score(List.of(toArray(in.review().getTokenIds())),
                            version.store()).get(0);
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

    private Prediction prediction(TokenizedReview review, ServedVersion version, ClassifierScorer.Scored result) {
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
