package dev.sentiflow.ingest;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * Only a registry outage escapes (the record is then retried from the last commit, not lost).
 */
final class IngestProcessor implements Processor<byte[], byte[], Object, Object> {

    static final String DLQ_REASON_HEADER = "sentiflow.dlq.reason";
    private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);
    private static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(30);

    private final ReviewDecoder decoder;
    private final ReviewValidator validator;
    private final String tokenizedSink;
    private final String dlqSink;
    private final Map<DeadLetterReason, Long> rejected = new EnumMap<>(DeadLetterReason.class);
    private ProcessorContext<Object, Object> context;
    private long accepted;

    IngestProcessor(ReviewDecoder decoder, ReviewValidator validator, String tokenizedSink, String dlqSink) {
        this.decoder = decoder;
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
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
        Rejection rejection;
        try {
            ReviewDecoder.Decoded decoded = decoder.decode(topic, record.value());
            if (decoded instanceof ReviewDecoder.Bad bad) {
                rejection = bad.rejection();
            } else {
                ReviewValidator.Outcome outcome = validator.validate(((ReviewDecoder.Ok) decoded).review());
                if (outcome instanceof ReviewValidator.Accepted ok) {
                    context.forward(new Record<Object, Object>(ok.tokenized().getId(), ok.tokenized(),
                            record.timestamp()), tokenizedSink);
                    accepted++;
                    return;
                }
                rejection = ((ReviewValidator.Rejected) outcome).rejection();
            }
        } catch (RegistryUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            rejection = new Rejection(DeadLetterReason.PROCESSING_ERROR, "unexpected error: " + e, null);
            LOG.error("ingest failed on a record at {}; sending it to the DLQ", position(), e);
        }
        deadLetter(record, rejection);
    }

    private void deadLetter(Record<byte[], byte[]> record, Rejection rejection) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        DeadLetter letter = DeadLetter.newBuilder()
                .setReason(rejection.reason())
                .setDetail(rejection.detail())
                .setSourceTopic(meta == null ? "" : meta.topic())
                .setSourcePartition(meta == null ? -1 : meta.partition())
                .setSourceOffset(meta == null ? -1 : meta.offset())
                .setRecordId(rejection.recordId())
                .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setOriginalValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setFailedAt(Instant.now())
                .build();
        Record<Object, Object> out = new Record<>(record.key(), letter, record.timestamp());
        out.headers().add(DLQ_REASON_HEADER, rejection.reason().name().getBytes(StandardCharsets.UTF_8));
        context.forward(out, dlqSink);
        rejected.merge(rejection.reason(), 1L, Long::sum);
        LOG.info("dead-lettered {} id={} reason={}: {}", position(), rejection.recordId(), rejection.reason(),
                rejection.detail());
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
