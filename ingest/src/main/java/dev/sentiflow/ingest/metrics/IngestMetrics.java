package dev.sentiflow.ingest.metrics;

import dev.sentiflow.avro.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * What ingest counts for Prometheus ({@code sentiflow_ingest_*}): records in, tokenized, and dead-lettered
 * by reason. Counted as records are processed: after a crash, records of an aborted transaction are
 * counted again when they are processed again (the topics hold them once).
 */
public final class IngestMetrics {

    private final Counter in;
    private final Counter tokenized;
    private final Map<DeadLetterReason, Counter> deadLettered = new EnumMap<>(DeadLetterReason.class);

    public IngestMetrics(MeterRegistry registry) {
        this.in = Counter.builder("sentiflow.ingest.records.in").description("Records read from the reviews topic")
                .register(registry);
        this.tokenized = Counter.builder("sentiflow.ingest.records.tokenized")
                .description("Reviews validated, tokenized and written to the tokenized topic").register(registry);
        // Every reason from the start, at 0: a dashboard's rate() needs the series before the first dead letter.
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLettered.put(reason, Counter.builder("sentiflow.ingest.dead.letters")
                    .description("Records dead-lettered, by reason").tag("reason", reason.name()).register(registry));
        }
    }

    /** Meters nobody scrapes: for a topology built without a service (tests). */
    public static IngestMetrics unregistered() {
        return new IngestMetrics(new SimpleMeterRegistry());
    }

    public void received() {
        in.increment();
    }

    public void tokenized() {
        tokenized.increment();
    }

    public void deadLettered(DeadLetterReason reason) {
        deadLettered.get(reason).increment();
    }
}
