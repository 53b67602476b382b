package dev.sentiflow.trainer.gate;

import java.util.OptionalDouble;

/**
 * One domain's line in a {@link GateDecision}: macro-F1 of champion and candidate on the domain's
 * evaluation examples.
 *
 * @param champion empty when there is no champion
 * @param delta candidate minus champion, empty when there is no champion
 * @param judged whether the domain had enough examples for its drop to refuse the candidate
 */
public record DomainRow(String domain, long count, OptionalDouble champion, double candidate, OptionalDouble delta,
        boolean judged) {}
