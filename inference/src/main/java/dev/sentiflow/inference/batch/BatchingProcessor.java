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
import java.util.LinkedHashSet;
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
 * time (a punctuator looks four times per wait), whichever comes first. Batching across partitions
 * (the default), the records of every task of the stream thread count together and a batch takes the
 * oldest of all of them (see {@link ThreadTasks}). The age check matters under
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
    /** The stream thread's other tasks, when batching across partitions; null when this task batches alone. */
    private final ThreadTasks threadTasks;
    private final String predictionSink;
    private final String dlqSink;
    private final String liveQuality;
    private final DeadLetters letters;
    private final InferenceMetrics metrics;
    private final BatchBudget budget;
    private boolean slowLogged;
    private ProcessorContext<Object, Object> context;
    /**
     * Whether Streams has run this task (a record or a punctuation) since {@link #init}: until then its
     * context has no record context, which its cached store needs for a delete, so another task's batch
     * leaves its records alone (its restored backlog waits for its own first look).
     */
    private boolean ran;
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
            String liveQuality, DeadLetterSizing deadLetterSizing, InferenceMetrics metrics, ThreadTasks threadTasks) {
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
        this.threadTasks = policy.acrossPartitions() ? threadTasks : null;
        this.predictionSink = predictionSink;
        this.dlqSink = dlqSink;
        this.liveQuality = liveQuality;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.ran = false;
        this.pending = context.getStateStore(storeName);
        this.pendingCount = countPending();
        if (pendingCount > 0) {
            LOG.info("task {}: {} records were pending when the last run ended (restored from the changelog); "
                    + "they are scored first", context.taskId(), pendingCount);
            waitingSinceMs = context.currentSystemTimeMs() - maxWait.toMillis(); // due at the first look
        }
        Duration look = Duration.ofMillis(Math.max(1, maxWait.toMillis() / 4));
        context.schedule(look, PunctuationType.WALL_CLOCK_TIME, this::flushIfWaitedEnough);
        context.schedule(SUMMARY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> {
            ran = true;
            logSummary();
        });
        if (threadTasks != null) {
            threadTasks.join(this);
        }
    }

    @Override
    public void close() {
        if (threadTasks != null) {
            threadTasks.leave(this);
        }
    }

    long pendingCount() {
        return pendingCount;
    }

    long waitingSinceMs() {
        return waitingSinceMs;
    }

    /** Whether another task's batch may take this task's pending records (see {@link #ran}). */
    boolean ran() {
        return ran;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        ran = true;
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
        if ((threadTasks == null ? pendingCount : threadTasks.pending(this)) >= maxRecords) {
            flush(false);
        }
    }

    private void flushIfWaitedEnough(long nowMs) {
        ran = true;
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
        List<Taken> batch = new ArrayList<>(maxRecords);
        for (BatchingProcessor task : threadTasks == null ? List.of(this) : threadTasks.waitingLongestFirst(this)) {
            if (batch.size() >= maxRecords) {
                break;
            }
            batch.addAll(task.oldestPending(maxRecords - batch.size(), this));
        }
        batch = batch.subList(0, budget.take(batch.stream().mapToInt(t -> t.review().getTokenIds().size()).toArray()));
        if (batch.isEmpty()) {
            return;
        }
        // Keyed by position: store keys are input offsets, unique only within one partition.
        List<BatchScorer.Input> inputs = new ArrayList<>(batch.size());
        int longest = 0;
        for (int i = 0; i < batch.size(); i++) {
            inputs.add(new BatchScorer.Input(i, batch.get(i).review()));
            longest = Math.max(longest, batch.get(i).review().getTokenIds().size());
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
        Map<BatchingProcessor, Integer> scoredOf = new HashMap<>();
        for (BatchScorer.Scored s : outcome.scored()) {
            Taken t = batch.get((int) s.key());
            // Through this task's context whichever task the record came from: the sinks are the same, and
            // all of a thread's tasks commit in one transaction.
            Record<Object, Object> prediction = new Record<>(s.prediction().getId(), s.prediction(),
                    t.record().timestamp());
            context.forward(prediction, predictionSink);
            metrics.scored(s.prediction());
            if (s.prediction().getTrueLabel() != null) {
                context.forward(prediction, liveQuality);
            }
            t.owner().remove(t.key());
            scoredOf.merge(t.owner(), 1, Integer::sum);
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
            Taken t = batch.get((int) r.key());
            deadLetter(t.record(), DeadLetterReason.PROCESSING_ERROR, r.detail(), t.review().getId());
            t.owner().remove(t.key());
        }
        Map<BatchingProcessor, Integer> heldOf = new HashMap<>();
        for (long held : outcome.held()) {
            heldOf.merge(batch.get((int) held).owner(), 1, Integer::sum);
        }
        for (BatchingProcessor task : new LinkedHashSet<>(batch.stream().map(Taken::owner).toList())) {
            task.afterBatch(scoredOf.getOrDefault(task, 0) > 0, heldOf.getOrDefault(task, 0));
        }
    }

    /** Where this task's wait stands after a batch took some of its records. */
    private void afterBatch(boolean anyScored, int held) {
        if (pendingCount <= 0) {
            waitingSinceMs = -1;
        } else if (!anyScored || pendingCount < maxRecords) {
            // Held records look again after a wait; a short remainder are the newest arrivals, so their
            // wait starts about now. A full backlog keeps its age and is scored at the next look.
            waitingSinceMs = context.currentSystemTimeMs();
        }
        if (held == 0) {
            waitingLogged = false;
        } else if (!waitingLogged) {
            LOG.warn("task {}: {} records wait for a model to serve them (none served under their domain or the "
                    + "default name yet); they stay pending, nothing is lost", context.taskId(), held);
            waitingLogged = true;
        }
    }

    /** A pending record read back and decoded for a batch, with the task whose store holds it. */
    private record Taken(BatchingProcessor owner, long key, PendingRecord record, TokenizedReview review) {}

    /**
     * This task's oldest pending records, decoded, at most {@code limit}. A record that no longer decodes
     * (it did when stored) is dead-lettered through {@code forwarder}, the task scoring the batch; a
     * registry outage is thrown: not the record's fault, it is retried.
     */
    private List<Taken> oldestPending(int limit, BatchingProcessor forwarder) {
        List<Taken> candidates = new ArrayList<>(limit);
        List<Long> undecodable = new ArrayList<>();
        try (KeyValueIterator<Long, byte[]> it = pending.all()) {
            while (it.hasNext() && candidates.size() < limit) {
                KeyValue<Long, byte[]> kv = it.next();
                PendingRecord record = PendingRecord.decode(kv.value);
                TokenizedReview known = decodedPending.get(kv.key);
                if (known != null) {
                    candidates.add(new Taken(this, kv.key, record, known));
                    continue;
                }
                RecordDecoder.Decoded<TokenizedReview> decoded = decoder.decode(inputTopic, record.value());
                if (decoded instanceof RecordDecoder.Ok<TokenizedReview> ok) {
                    candidates.add(new Taken(this, kv.key, record, ok.value()));
                } else {
                    forwarder.deadLetter(record, DeadLetterReason.UNDECODABLE,
                            ((RecordDecoder.Bad<TokenizedReview>) decoded).detail(), null);
                    undecodable.add(kv.key);
                }
            }
        }
        undecodable.forEach(this::remove);
        if (candidates.isEmpty()) {
            pendingCount = 0; // the store was read to its end: nothing decodable is pending
            waitingSinceMs = -1;
        }
        return candidates;
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
