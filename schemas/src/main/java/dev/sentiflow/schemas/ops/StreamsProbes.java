package dev.sentiflow.schemas.ops;

import org.apache.kafka.streams.KafkaStreams;

/** The probes of a Kafka Streams app: alive while its threads have not died, ready while RUNNING. */
public final class StreamsProbes {

    private StreamsProbes() {
    }

    /** Down once the app is in ERROR, PENDING_ERROR or NOT_RUNNING: it scores nothing more until restarted. */
    public static Probe.Result live(KafkaStreams streams) {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                || state == KafkaStreams.State.NOT_RUNNING
                ? Probe.Result.down("Kafka Streams is " + state)
                : Probe.Result.up("Kafka Streams is " + state);
    }

    /** Up only while RUNNING (not while it starts or rebalances). */
    public static Probe.Result ready(KafkaStreams streams) {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING ? Probe.Result.up("Kafka Streams is RUNNING")
                : Probe.Result.down("Kafka Streams is " + state);
    }
}
