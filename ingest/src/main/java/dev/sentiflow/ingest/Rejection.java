package dev.sentiflow.ingest;

import dev.sentiflow.avro.DeadLetterReason;

/** Why an input record goes to the dead-letter topic instead of downstream. */
public record Rejection(DeadLetterReason reason, String detail, String recordId) {
}
