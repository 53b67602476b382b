package dev.sentiflow.trainer.intake;

import dev.sentiflow.avro.OffsetRange;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.text.tokenizer.TokenLimits;
import dev.sentiflow.trainer.sample.HashSample;
import dev.sentiflow.trainer.split.EvalSplit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Sorts one model's tokenized reviews into what a training round needs, with every store bounded:
 * the <b>window</b> (labeled training examples that arrived since the last round), the <b>replay</b>
 * sample (older training examples, mixed into every round against forgetting), the <b>evaluation</b>
 * set (a stable-hash share of the ids, never trained on, sampled per domain) and an unlabeled sample
 * (for MLM adaptation). Records from before the last committed round ("history", re-read after a
 * restart) go to replay and evaluation only, so a restarted trainer rebuilds the same sets and
 * retrains exactly the window it had not committed.
 *
 * <p>Pure logic: the Kafka consumer feeds it, a round takes its {@link RoundInput}.
 */
public final class ExampleIntake {

    /** Where a record went. */
    public enum Outcome {
        TRAIN, EVAL, UNLABELED, REFUSED_TOKENIZER, REFUSED_TOKENS, REFUSED_LABEL, WINDOW_FULL,
        /** Read ahead, not taken: it is read again after the round ({@link #acceptAhead}). */
        READ_AGAIN
    }

    /** What a round trains and scores on. */
    public record RoundInput(List<LabeledExample> window, List<LabeledExample> replay, List<LabeledExample> eval,
            List<int[]> unlabeled, List<OffsetRange> lineage) {

        /** Window then replay: the round's training set. */
        public List<LabeledExample> training() {
            List<LabeledExample> all = new ArrayList<>(window);
            all.addAll(replay);
            return all;
        }
    }

    private final String model;
    private final Map<String, Integer> labelIndex = new LinkedHashMap<>();
    private final String tokenizerId;
    private final TokenLimits limits;
    private final EvalSplit split;
    private final int windowCapacity;
    private final int evalPerDomain;
    private final int maxDomains;
    private final List<LabeledExample> window = new ArrayList<>();
    private final HashSample<LabeledExample> replay;
    private final Map<String, HashSample<LabeledExample>> eval = new TreeMap<>();
    private final HashSample<int[]> unlabeled;
    private final Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);

    /**
     * @param limits what the model takes: a record beyond them is refused, never stored, so no round
     *     (nor the evaluation set rebuilt after every restart) fails on it
     */
    public ExampleIntake(String model, List<String> labels, String tokenizerId, TokenLimits limits, EvalSplit split,
            Capacities caps) {
        this.model = model;
        this.limits = limits;
        for (int i = 0; i < labels.size(); i++) {
            labelIndex.put(labels.get(i), i);
        }
        this.tokenizerId = tokenizerId;
        this.split = split;
        this.windowCapacity = caps.window();
        this.evalPerDomain = caps.evalPerDomain();
        this.maxDomains = caps.maxDomains();
        this.replay = new HashSample<>(caps.replay(), "replay");
        this.unlabeled = new HashSample<>(caps.unlabeled(), "unlabeled");
    }

    /** Caps on every store, so memory is bounded whatever arrives. */
    public record Capacities(int window, int replay, int evalPerDomain, int maxDomains, int unlabeled) {
        public Capacities {
            if (window < 1 || replay < 1 || evalPerDomain < 1 || maxDomains < 1 || unlabeled < 1) {
                throw new IllegalArgumentException("every capacity must be >= 1: " + this);
            }
        }
    }

    /**
     * Takes one record.
     *
     * @param history whether it lies before the last committed round (re-read after a restart)
     */
    public Outcome accept(TokenizedReview review, String topic, int partition, long offset, boolean history) {
        Outcome outcome = route(review, topic, partition, offset, history, false);
        counts.merge(outcome, 1L, Long::sum);
        return outcome;
    }

    /**
     * Takes one record read ahead of a full window: only what is never trained on (evaluation and
     * unlabeled examples, sampled by id, so the re-read after the round changes nothing); a training
     * example returns {@link Outcome#READ_AGAIN}. Not counted: the record is counted when read again.
     */
    public Outcome acceptAhead(TokenizedReview review, String topic, int partition, long offset) {
        return route(review, topic, partition, offset, false, true);
    }

    private Outcome route(TokenizedReview review, String topic, int partition, long offset, boolean history,
            boolean ahead) {
        if (!tokenizerId.equals(review.getTokenizerId())) {
            return Outcome.REFUSED_TOKENIZER;
        }
        if (problem(review).isPresent()) {
            return Outcome.REFUSED_TOKENS;
        }
        int[] tokens = review.getTokenIds().stream().mapToInt(Integer::intValue).toArray();
        if (review.getLabel() == null) {
            unlabeled.offer(review.getId(), tokens);
            return Outcome.UNLABELED;
        }
        Integer label = labelIndex.get(review.getLabel());
        if (label == null) {
            return Outcome.REFUSED_LABEL;
        }
        LabeledExample example = new LabeledExample(review.getId(), review.getDomain(), label, tokens, topic,
                partition, offset);
        if (split.isEval(review.getId())) {
            evalSample(review.getDomain()).offer(review.getId(), example);
            return Outcome.EVAL;
        }
        if (history) {
            replay.offer(review.getId(), example);
            return Outcome.TRAIN;
        }
        if (ahead) {
            return Outcome.READ_AGAIN;
        }
        if (window.size() >= windowCapacity) {
            return Outcome.WINDOW_FULL;
        }
        window.add(example);
        return Outcome.TRAIN;
    }

    /** Why a record's token ids do not fit the model (none, too many, outside the vocabulary); empty when they do. */
    public Optional<String> problem(TokenizedReview review) {
        return review.getTokenIds().isEmpty() ? Optional.of("has no token ids") : limits.problem(review.getTokenIds());
    }

    /** Domains beyond {@code maxDomains} share one overflow sample, so a flood of new domains stays bounded. */
    private HashSample<LabeledExample> evalSample(String domain) {
        String key = eval.containsKey(domain) || eval.size() < maxDomains ? domain : "(other domains)";
        return eval.computeIfAbsent(key, d -> new HashSample<>(evalPerDomain, "eval"));
    }

    /** Whether the window can take no more: the consumer should stop fetching until the next round. */
    public boolean windowFull() {
        return window.size() >= windowCapacity;
    }

    public int windowSize() {
        return window.size();
    }

    public int evalSize() {
        return eval.values().stream().mapToInt(HashSample::size).sum();
    }

    public int replaySize() {
        return replay.size();
    }

    /** A snapshot for a round; the stores are not changed until {@link #roundDone}. */
    public RoundInput roundInput() {
        List<LabeledExample> evalSet = new ArrayList<>();
        eval.values().forEach(s -> evalSet.addAll(s.items()));
        return new RoundInput(List.copyOf(window), replay.items(), evalSet, unlabeled.items(), lineage(window));
    }

    /** After a round committed (published or refused): the window joins the replay sample. */
    public void roundDone(RoundInput input) {
        input.window().forEach(e -> replay.offer(e.id(), e));
        window.subList(0, Math.min(input.window().size(), window.size())).clear();
    }

    /**
     * The offset of this model's first window example from a partition, if any: a round of another
     * model must not commit that partition past it, or these examples would count as trained.
     */
    public java.util.OptionalLong firstWindowOffset(String topic, int partition) {
        for (LabeledExample e : window) {
            if (e.partition() == partition && e.topic().equals(topic)) {
                return java.util.OptionalLong.of(e.offset());
            }
        }
        return java.util.OptionalLong.empty();
    }

    /** Forgets the window (the consumer will re-read it from the committed offsets). */
    public void dropWindow() {
        window.clear();
    }

    public String model() {
        return model;
    }

    public Map<Outcome, Long> counts() {
        return Map.copyOf(counts);
    }

    /** Sizes of every store, for the operator's log line and the round's metrics. */
    public String sizes() {
        return "window " + window.size() + "/" + windowCapacity + ", replay " + replay.size() + "/" + replay.capacity()
                + ", eval " + evalSize() + " in " + eval.size() + " domains (" + evalPerDomain + " per domain), unlabeled "
                + unlabeled.size() + "/" + unlabeled.capacity();
    }

    /** The offset range per topic-partition that the window's examples span. */
    static List<OffsetRange> lineage(List<LabeledExample> examples) {
        Map<String, long[]> ranges = new TreeMap<>();
        Map<String, LabeledExample> any = new TreeMap<>();
        for (LabeledExample e : examples) {
            String key = e.topic() + "-" + e.partition();
            any.putIfAbsent(key, e);
            long[] r = ranges.computeIfAbsent(key, k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            r[0] = Math.min(r[0], e.offset());
            r[1] = Math.max(r[1], e.offset() + 1);
        }
        List<OffsetRange> out = new ArrayList<>();
        ranges.forEach((key, r) -> out.add(OffsetRange.newBuilder().setTopic(any.get(key).topic())
                .setPartition(any.get(key).partition()).setFromOffset(r[0]).setUntilOffset(r[1]).build()));
        return out;
    }
}
