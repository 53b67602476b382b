package dev.sentiflow.ingest;

import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.ingest.metrics.IngestMetrics;
import dev.sentiflow.schemas.deadletter.DeadLetterSizing;
import dev.sentiflow.schemas.deadletter.DeadLetters;
import dev.sentiflow.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every input record to exactly one place: the tokenized topic or the dead-letter topic.
 * Only registry failures and failures to write the output escape (the record is then retried from
 * the last commit, or the app stops; it is never lost or blamed).
 */
final class IngestProcessor implements Processor<byte[], byte[], Object, Object> {

    static final String DLQ_REASON_HEADER = DeadLetters.REASON_HEADER;
    private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);
    private static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(30);

    private final ReviewDecoder decoder;
    private final ReviewValidator validator;
    private final String tokenizedSink;
    private final String dlqSink;
    private final DeadLetters letters;
    private final IngestMetrics metrics;
    private final Map<DeadLetterReason, Long> rejected = new EnumMap<>(DeadLetterReason.class);
    private ProcessorContext<Object, Object> context;
    private long accepted;

    IngestProcessor(ReviewDecoder decoder, ReviewValidator validator, String tokenizedSink, String dlqSink,
                    DeadLetterSizing sizing, IngestMetrics metrics) {
        this.decoder = decoder;
        this.metrics = metrics;
        this.letters = new DeadLetters(sizing);
        this.validator = validator;
        this.tokenizedSink = tokenizedSink;
        this.dlqSink = dlqSink;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        context.schedule(SUMMARY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> logSummary());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.received();
        ReviewValidator.Outcome outcome;
        try {
            outcome = decodeAndValidate(record.value());
        } catch (SchemaRegistryException e) {
            // Not the record's fault (registry down, wrong URL, refused credentials): fail and retry or stop.
            throw e;
        } catch (RuntimeException e) {
            outcome = new ReviewValidator.Rejected(new Rejection(DeadLetterReason.PROCESSING_ERROR,
                    "unexpected error: " + e, null));
            LOG.error("ingest failed on a record at {}; sending it to the DLQ", position(), e);
        }
        // Outside the try: a failure to write our own output (registry down, schema refused) is never the
        // input's fault, so it must fail the task and be retried or stop the app, not dead-letter the input.
        if (outcome instanceof ReviewValidator.Accepted ok) {
            context.forward(new Record<Object, Object>(ok.tokenized().getId(), ok.tokenized(), record.timestamp()),
                    tokenizedSink);
            accepted++;
            metrics.tokenized();
        } else {
            deadLetter(record, ((ReviewValidator.Rejected) outcome).rejection());
        }
    }

    private ReviewValidator.Outcome decodeAndValidate(byte[] value) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
        ReviewDecoder.Decoded decoded = decoder.decode(topic, value);
        if (decoded instanceof ReviewDecoder.Bad bad) {
            return new ReviewValidator.Rejected(bad.rejection());
        }
        return validator.validate(((ReviewDecoder.Ok) decoded).review());
    }

    private void deadLetter(Record<byte[], byte[]> record, Rejection rejection) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        DeadLetters.Letter letter = letters.build(rejection.reason(), rejection.detail(), rejection.recordId(),
                meta == null ? "" : meta.topic(), meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(),
                record.key(), record.value(), Instant.now());
        Record<Object, Object> out = new Record<>(letter.key(), letter.value(), record.timestamp());
        out.headers().add(DeadLetters.REASON_HEADER, letter.reasonHeader());
        context.forward(out, dlqSink);
        rejected.merge(rejection.reason(), 1L, Long::sum);
        metrics.deadLettered(rejection.reason());
        LOG.info("dead-lettered {} id={} reason={}: {}", position(), letter.value().getRecordId(), rejection.reason(),
                letter.value().getDetail());
    }

    private String position() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }

    private void logSummary() {
        if (accepted > 0 || !rejected.isEmpty()) {
            LOG.info("ingest task {}: {} tokenized, dead-lettered {} in the last {} s", context.taskId(), accepted,
                    rejected, SUMMARY_INTERVAL.toSeconds());
            accepted = 0;
            rejected.clear();
        }
    }
}
