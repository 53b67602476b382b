package dev.sentiflow.schemas.serde;

import java.lang.reflect.Method;
import org.apache.avro.SystemLimitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds on the lengths Avro believes when it decodes. A string, bytes or array length is a varint
 * in the record, and Avro allocates what it claims before reading a byte of it: one corrupt record
 * claiming a 1 GB string is an {@link OutOfMemoryError} (not an exception a dead-letter path
 * catches), and the service that dies on it meets the same uncommitted record after every restart.
 * Avro's own limits default to about 2 GB; these fit every record a Kafka topic of ours can hold
 * (checkpoint chunks are at most 64 MiB) and turn the rest into a {@link SystemLimitException}, which
 * our decoders report as an undecodable record. A limit set as a system property is kept.
 */
public final class AvroLimits {

    /** Most bytes in one Avro string: review texts, ids, label names. */
    public static final int MAX_STRING_BYTES = 32 << 20;
    /** Most bytes in one Avro bytes field: a checkpoint chunk (at most 64 MiB) and its framing. */
    public static final int MAX_BYTES = 80 << 20;
    /** Most items in one Avro array or map: token ids, per-domain scores, lineage. */
    public static final int MAX_ITEMS = 8 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(AvroLimits.class);
    private static boolean applied;

    private AvroLimits() {}

    /** Sets the limits (once per JVM); every decoder of ours calls it before its first decode. */
    public static synchronized void apply() {
        if (applied) {
            return;
        }
        applied = true;
        setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_STRING_BYTES);
        setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_BYTES);
        setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_ITEMS);
        try {
            // Avro reads the properties once, when the class initialises: something may have decoded already.
            Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
            reset.setAccessible(true);
            reset.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("could not apply Avro's length limits ({}); a corrupt length prefix may allocate up to 2 GB",
                    e.toString());
        }
    }

    private static void setIfAbsent(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }
}
