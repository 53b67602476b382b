package dev.sentiflow.trainer.trigger;

import java.util.OptionalLong;

/**
 * A decision to start a round now.
 *
 * @param detail a sentence for logs and the ROUND metrics record
 * @param driftedVersion for DRIFT, the serving version whose live accuracy dropped
 */
public record Trigger(TriggerReason reason, String detail, OptionalLong driftedVersion) {}
