package dev.sentiflow.schemas.deadletter;

import dev.sentiflow.schemas.topic.TopicMessageLimit;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.OptionalInt;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much of a rejected record a {@code DeadLetter} may carry and still be written. An input that
 * fits the broker's limit no longer fits once an envelope is added to its bytes; a dead letter that
 * cannot be sent fails the stream thread on the same offset forever and blocks its partition. So
 * the original value is cut to what the producer's {@code max.request.size} and the DLQ topic's
 * {@code max.message.bytes} leave after a fixed margin for the envelope, headers and record
 * overhead, and the letter says so (whole length, SHA-256 of the whole value, truncated flag).
 */
public final class DeadLetterSizing {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSizing.class);

    /**
     * Room for everything but the original bytes: the Avro envelope with its text fields (clipped to
     * {@link #MAX_TEXT_CHARS}, at most 3 UTF-8 bytes per char), topic name, digest, Confluent header,
     * the reason header, and Kafka's record and batch overhead (under 200 bytes).
     */
    public static final int ENVELOPE_MARGIN = 16 * 1024;
    /** Longest detail or record id a letter carries, in chars. */
    public static final int MAX_TEXT_CHARS = 1_000;
    /** Kafka's default {@code max.message.bytes} of a topic. */
    public static final int KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
    /** Kafka's defaults for both limits, for callers that did not ask the cluster. */
    public static final DeadLetterSizing KAFKA_DEFAULTS = forLimits(1_048_576, KAFKA_DEFAULT_MAX_MESSAGE_BYTES);

    private final int maxCarried;

    private DeadLetterSizing(int maxCarried) {
        this.maxCarried = maxCarried;
    }

    /** Sized from the two limits a dead letter must pass. */
    public static DeadLetterSizing forLimits(int producerMaxRequestSize, int topicMaxMessageBytes) {
        int limit = Math.min(producerMaxRequestSize, topicMaxMessageBytes);
        if (limit < 2 * ENVELOPE_MARGIN) {
            throw new IllegalArgumentException("dead letters need at least " + 2 * ENVELOPE_MARGIN + " bytes per "
                    + "record, but max.request.size is " + producerMaxRequestSize + " and the DLQ topic's "
                    + "max.message.bytes is " + topicMaxMessageBytes);
        }
        return new DeadLetterSizing(limit - ENVELOPE_MARGIN);
    }

    /** Bytes of the original record a letter may carry: its key twice (record key and field) plus the value. */
    public int maxCarried() {
        return maxCarried;
    }

    /** What a letter carries of the original record. */
    public record Carried(byte[] recordKey, ByteBuffer originalKey, ByteBuffer originalValue, long valueLength,
                   String valueSha256, boolean valueTruncated, String note) {
    }

    public Carried carry(byte[] key, byte[] value) {
        byte[] keptKey = key;
        String note = "";
        // A key is copied twice (the letter's own key and its originalKey field); a giant one is cut too,
        // to an eighth of the budget (a quarter for both copies), so most of the budget stays for the value.
        int maxKey = maxCarried / 8;
        if (key != null && key.length > maxKey) {
            keptKey = Arrays.copyOf(key, maxKey);
            note = " [original key cut from " + key.length + " to " + maxKey + " bytes, sha-256 " + sha256(key) + "]";
        }
        if (value == null) {
            return new Carried(keptKey, wrap(keptKey), null, -1, null, false, note);
        }
        int room = maxCarried - 2 * (keptKey == null ? 0 : keptKey.length);
        boolean truncated = value.length > room;
        ByteBuffer kept = ByteBuffer.wrap(truncated ? Arrays.copyOf(value, room) : value);
        return new Carried(keptKey, wrap(keptKey), kept, value.length, sha256(value), truncated, note);
    }

    /** Text fields are operator-facing sentences; an id or message megabytes long must not make a letter too big. */
    public static String clip(String text) {
        if (text == null || text.length() <= MAX_TEXT_CHARS) {
            return text;
        }
        int end = MAX_TEXT_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a surrogate pair into invalid UTF-16
        }
        return text.substring(0, end) + "... (" + text.length() + " chars)";
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * The DLQ topic's {@code max.message.bytes}, as the cluster says (Kafka's default when the
     * principal may not read topic configs); waits out a topic created a moment ago.
     */
    public static int maxMessageBytes(Admin client, String topic, Duration timeout) throws Exception {
        OptionalInt limit = TopicMessageLimit.maxMessageBytes(client, topic, timeout);
        if (limit.isEmpty()) {
            LOG.warn("cannot read {}'s max.message.bytes (not authorized to, or no such topic); sizing dead letters "
                    + "for Kafka's default of {} bytes", topic, KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
        }
        return limit.orElse(KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
    }
}
