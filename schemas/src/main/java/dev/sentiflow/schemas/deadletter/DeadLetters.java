package dev.sentiflow.schemas.deadletter;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Builds the {@code DeadLetter} for a record a service cannot use, for every service alike: the
 * reason, a detail clipped to an operator-sized sentence, where the record came from, and as much of
 * its key and value as the DLQ's limits allow ({@link DeadLetterSizing}), with the value's whole
 * length and SHA-256 when it had to be cut, so a letter is always small enough to be written and
 * never blocks its partition.
 */
public final class DeadLetters {

    /** Header naming the reason on every dead letter, so a consumer can filter without decoding. */
    public static final String REASON_HEADER = "sentiflow.dlq.reason";

    /** A letter and the key to write it under (the original key, cut like the letter's copy of it). */
    public record Letter(byte[] key, DeadLetter value, byte[] reasonHeader) {}

    private final DeadLetterSizing sizing;

    public DeadLetters(DeadLetterSizing sizing) {
        this.sizing = sizing;
    }

    public Letter build(DeadLetterReason reason, String detail, String recordId, String sourceTopic, int partition,
            long offset, byte[] key, byte[] value, Instant failedAt) {
        DeadLetterSizing.Carried carried = sizing.carry(key, value);
        String said = DeadLetterSizing.clip(detail) + carried.note() + (carried.valueTruncated()
                ? " [original value cut from " + carried.valueLength() + " to " + carried.originalValue().remaining()
                        + " bytes to fit the DLQ's message limit]" : "");
        DeadLetter letter = DeadLetter.newBuilder()
                .setReason(reason)
                .setDetail(said)
                .setSourceTopic(sourceTopic == null ? "" : sourceTopic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setRecordId(DeadLetterSizing.clip(recordId))
                .setOriginalKey(carried.originalKey())
                .setOriginalValue(carried.originalValue())
                .setOriginalValueLength(carried.valueLength())
                .setOriginalValueSha256(carried.valueSha256())
                .setOriginalValueTruncated(carried.valueTruncated())
                .setFailedAt(failedAt)
                .build();
        return new Letter(carried.recordKey(), letter, reason.name().getBytes(StandardCharsets.UTF_8));
    }

    public DeadLetterSizing sizing() {
        return sizing;
    }
}
