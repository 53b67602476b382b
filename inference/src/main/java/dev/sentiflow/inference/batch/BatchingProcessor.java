package dev.sentiflow.inference.batch;

import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.inference.metrics.InferenceMetrics;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.inference.scoring.BatchScorer;
import dev.sentiflow.schemas.deadletter.DeadLetterSizing;
import dev.sentiflow.schemas.deadletter.DeadLetters;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.RecordDecoder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers one input partition's records into micro-batches and scores them. A batch is scored when
 * it holds {@code maxRecords} records, or when its oldest record has waited {@code maxWait} of wall-clock
 * time (a punctuator looks four times per wait), whichever comes first. The age check matters under
 * load: a punctuator that flushed whatever was pending would, right after a slow batch, score the few
 * records that arrived during it as a tiny batch, and a backlog would drain at a handful of rows per
 * forward instead of full batches.
 *
 * <p>Pending records live in a changelogged key-value store, keyed by input offset, never only in a
 * Java field: under exactly-once the committed offsets already cover them, so a crash would otherwise
 * lose them. Store writes, predictions, dead letters and offsets commit in one transaction; after a
 * crash the store is restored and its records are scored by the first batch.
 */
public final class BatchingProcessor implements Processor<byte[], byte[], Object, Object> {

    public static final String DLQ_REASON_HEADER = DeadLetters.REASON_HEADER;
    private static final Logger LOG = LoggerFactory.getLogger(BatchingProcessor.class);
    private static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(30);

    private final String inputTopic;
    private final String storeName;
    private final RecordDecoder<TokenizedReview> decoder;
    /**
     * The reviews of pending records as decoded on arrival, by offset, so a batch does not decode
     * them again; records restored from the changelog are not here and are decoded from the store.
     */
    private final java.util.Map<Long, TokenizedReview> decodedPending = new java.util.HashMap<>();
    private final ReviewCheck check;
    private final BatchScorer scorer;
    private final int maxRecords;
    private final Duration maxWait;
    private final boolean commitQuietBatches;
    private final String predictionSink;
    private final String dlqSink;
    private final String liveQuality;
    private final DeadLetters letters;
    private final InferenceMetrics metrics;
    private final BatchBudget budget;
    private boolean slowLogged;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, byte[]> pending;
    private long pendingCount;
    /** Wall-clock ms since which the oldest pending record has waited (approximately); -1 when none waits. */
    private long waitingSinceMs = -1;
    private boolean waitingLogged;
    private long scoredSinceSummary;
    private long batchesSinceSummary;
    private long nanosSinceSummary;
    private final Map<DeadLetterReason, Long> deadSinceSummary = new EnumMap<>(DeadLetterReason.class);

    /**
     * @param vocabSize token ids must be below it
     * @param maxLength most tokens per record the served models take
     */
    public BatchingProcessor(String inputTopic, String storeName, SchemaRegistryClient registry, int vocabSize,
            int maxLength, BatchScorer scorer, BatchPolicy policy, String predictionSink, String dlqSink,
            String liveQuality, DeadLetterSizing deadLetterSizing, InferenceMetrics metrics) {
        this.letters = new DeadLetters(deadLetterSizing);
        this.metrics = metrics;
        this.inputTopic = inputTopic;
        this.storeName = storeName;
        this.decoder = new RecordDecoder<>(registry, TokenizedReview.getClassSchema());
        this.check = new ReviewCheck(vocabSize, maxLength);
        this.scorer = scorer;
        this.maxRecords = policy.maxRecords();
        this.budget = new BatchBudget(policy);
        this.maxWait = policy.maxWait();
        this.commitQuietBatches = policy.commitQuietBatches();
        this.predictionSink = predictionSink;
        this.dlqSink = dlqSink;
        this.liveQuality = liveQuality;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(storeName);
        this.pendingCount = countPending();
        if (pendingCount > 0) {
            LOG.info("task {}: {} records were pending when the last run ended (restored from the changelog); "
                    + "they are scored first", context.taskId(), pendingCount);
            waitingSinceMs = context.currentSystemTimeMs() - maxWait.toMillis(); // due at the first look
        }
        Duration look = Duration.ofMillis(Math.max(1, maxWait.toMillis() / 4));
        context.schedule(look, PunctuationType.WALL_CLOCK_TIME, this::flushIfWaitedEnough);
        context.schedule(SUMMARY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> logSummary());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        PendingRecord in = new PendingRecord(record.key(), record.value(), record.timestamp(), meta.partition(),
                meta.offset());
        RecordDecoder.Decoded<TokenizedReview> decoded = decoder.decode(meta.topic(), record.value());
        if (decoded instanceof RecordDecoder.Bad<TokenizedReview> bad) {
            deadLetter(in, DeadLetterReason.UNDECODABLE, bad.detail(), null);
            return;
        }
        TokenizedReview review = ((RecordDecoder.Ok<TokenizedReview>) decoded).value();
        Optional<ReviewCheck.Problem> problem = check.check(review);
        if (problem.isPresent()) {
            deadLetter(in, problem.get().reason(), problem.get().detail(), review.getId());
            return;
        }
        pending.put(meta.offset(), in.encode());
        decodedPending.put(meta.offset(), review);
        if (pendingCount++ == 0) {
            waitingSinceMs = context.currentSystemTimeMs();
        }
        if (pendingCount >= maxRecords) {
            flush(false);
        }
    }

    private void flushIfWaitedEnough(long nowMs) {
        if (pendingCount > 0 && context.currentSystemTimeMs() - waitingSinceMs >= maxWait.toMillis()) {
            flush(true);
        }
    }

    /**
     * Scores the oldest pending records, at most {@code maxRecords}: ONE batch per call, never a loop
     * over a backlog, so the model time inside one transaction stays one batch's (Streams commits
     * between calls; the 10 s transaction timeout must not be reached). A backlog (records that waited
     * for a model) drains one batch per incoming record and per punctuation.
     *
     * @param quiet the batch was cut by its wait, not filled: the partition is quiet, so with
     *     {@code commitQuietBatches} it commits at once rather than at the next commit interval (a full
     *     batch is a backlog, where commits come at the interval anyway and one per batch of one row
     *     would cost a transaction per record)
     */
    private void flush(boolean quiet) {
        if (pendingCount <= 0) {
            return;
        }
        List<Taken> batch = oldestPending();
        if (batch.isEmpty()) {
            pendingCount = 0; // the store was read to its end: nothing decodable is pending
            waitingSinceMs = -1;
            return;
        }
        Map<Long, PendingRecord> byKey = new HashMap<>();
        Map<Long, String> ids = new HashMap<>();
        List<BatchScorer.Input> inputs = new ArrayList<>(batch.size());
        int longest = 0;
        for (Taken t : batch) {
            byKey.put(t.key(), t.record());
            inputs.add(new BatchScorer.Input(t.key(), t.review()));
            ids.put(t.key(), t.review().getId());
            longest = Math.max(longest, t.review().getTokenIds().size());
        }
        long begin = System.nanoTime();
        BatchScorer.Outcome outcome = scorer.score(inputs);
        long took = System.nanoTime() - begin;
        budget.scored(inputs.size(), longest, took);
        metrics.batch(inputs.size(), took);
        if (took > budget.maxTime().toNanos() * 2 && !slowLogged) {
            LOG.warn("task {}: a batch of {} records (longest {} tokens) took {} ms, over twice batch.max.ms ({} ms); "
                    + "later batches are cut to fit", context.taskId(), inputs.size(), longest, took / 1_000_000,
                    budget.maxTime().toMillis());
            slowLogged = true;
        }
        nanosSinceSummary += took;
        batchesSinceSummary++;
        for (BatchScorer.Scored s : outcome.scored()) {
            Record<Object, Object> prediction = new Record<>(s.prediction().getId(), s.prediction(),
                    byKey.get(s.key()).timestamp());
            context.forward(prediction, predictionSink);
            metrics.scored(s.prediction());
            if (s.prediction().getTrueLabel() != null) {
                context.forward(prediction, liveQuality);
            }
            remove(s.key());
        }
        for (var decision : outcome.decisions()) {
            // In this task's transaction, with the predictions of the batch that completed it.
            var metrics = decision.toLiveMetrics(Instant.ofEpochMilli(context.currentSystemTimeMs()));
            context.forward(new Record<Object, Object>(decision.model(), metrics, context.currentSystemTimeMs()),
                    liveQuality);
        }
        if (quiet && commitQuietBatches && !outcome.scored().isEmpty()) {
            context.commit(); // Streams commits after this loop iteration, not at the next interval
        }
        scoredSinceSummary += outcome.scored().size();
        for (BatchScorer.Refused r : outcome.refused()) {
            deadLetter(byKey.get(r.key()), DeadLetterReason.PROCESSING_ERROR, r.detail(), ids.get(r.key()));
            remove(r.key());
        }
        if (pendingCount <= 0) {
            waitingSinceMs = -1;
        } else if (outcome.scored().isEmpty() || pendingCount < maxRecords) {
            // Held records look again after a wait; a short remainder are the newest arrivals, so their
            // wait starts about now. A full backlog keeps its age and is scored at the next look.
            waitingSinceMs = context.currentSystemTimeMs();
        }
        if (outcome.held().isEmpty()) {
            waitingLogged = false;
        } else if (!waitingLogged) {
            LOG.warn("task {}: {} records wait for a model to serve them (none served under their domain or the "
                    + "default name yet); they stay pending, nothing is lost", context.taskId(), outcome.held().size());
            waitingLogged = true;
        }
    }

    /** A pending record read back and decoded for a batch. */
    private record Taken(long key, PendingRecord record, TokenizedReview review) {}

    /**
     * The oldest pending records, decoded, as many as the {@link BatchBudget} lets one batch hold
     * (rows and rows × longest tokens). A record that no longer decodes (it did when stored) is
     * dead-lettered here; a registry outage is thrown: not the record's fault, it is retried.
     */
    private List<Taken> oldestPending() {
        List<Taken> candidates = new ArrayList<>(maxRecords);
        List<Long> undecodable = new ArrayList<>();
        try (KeyValueIterator<Long, byte[]> it = pending.all()) {
            while (it.hasNext() && candidates.size() < maxRecords) {
                KeyValue<Long, byte[]> kv = it.next();
                PendingRecord record = PendingRecord.decode(kv.value);
                TokenizedReview known = decodedPending.get(kv.key);
                if (known != null) {
                    candidates.add(new Taken(kv.key, record, known));
                    continue;
                }
                RecordDecoder.Decoded<TokenizedReview> decoded = decoder.decode(inputTopic, record.value());
                if (decoded instanceof RecordDecoder.Ok<TokenizedReview> ok) {
                    candidates.add(new Taken(kv.key, record, ok.value()));
                } else {
                    deadLetter(record, DeadLetterReason.UNDECODABLE, ((RecordDecoder.Bad<TokenizedReview>) decoded)
                            .detail(), null);
                    undecodable.add(kv.key);
                }
            }
        }
        undecodable.forEach(this::remove);
        int[] lengths = candidates.stream().mapToInt(t -> t.review().getTokenIds().size()).toArray();
        return candidates.subList(0, budget.take(lengths));
    }

    private void remove(long key) {
        pending.delete(key);
        decodedPending.remove(key);
        pendingCount--;
    }

    private long countPending() {
        long n = 0;
        try (KeyValueIterator<Long, byte[]> it = pending.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private void deadLetter(PendingRecord in, DeadLetterReason reason, String detail, String recordId) {
        // Sized to the DLQ's limits: a letter carrying a near-1 MiB input whole could never be written.
        DeadLetters.Letter letter = letters.build(reason, detail, recordId, inputTopic, in.partition(), in.offset(),
                in.key(), in.value(), Instant.now());
        Record<Object, Object> out = new Record<>(letter.key(), letter.value(), in.timestamp());
        out.headers().add(DLQ_REASON_HEADER, letter.reasonHeader());
        context.forward(out, dlqSink);
        deadSinceSummary.merge(reason, 1L, Long::sum);
        metrics.deadLettered(reason);
    }

    private void logSummary() {
        if (scoredSinceSummary > 0 || !deadSinceSummary.isEmpty()) {
            LOG.info("task {}: scored {} in {} batches ({} ms of model time per batch), dead-lettered {}, {} pending, "
                    + "in the last {} s", context.taskId(), scoredSinceSummary, batchesSinceSummary,
                    batchesSinceSummary == 0 ? 0 : nanosSinceSummary / batchesSinceSummary / 1_000_000,
                    deadSinceSummary, pendingCount, SUMMARY_INTERVAL.toSeconds());
        }
        scoredSinceSummary = 0;
        batchesSinceSummary = 0;
        nanosSinceSummary = 0;
        deadSinceSummary.clear();
    }
}
