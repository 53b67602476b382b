package dev.sentiflow.inference.metrics;

import dev.sentiflow.inference.InferenceConfig;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.schemas.ops.Probe;
import dev.sentiflow.schemas.ops.StreamsProbes;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Inference's probes. Live: the models follower has not failed and the stream threads have not
 * died (a service still loading or waiting for its first model is alive). Ready: the streams are
 * RUNNING and the default model has a version loaded, or {@code serve.without.model} lets it score
 * without one.
 */
public final class InferenceHealth {

    private final ModelRegistry models;
    private final String defaultModel;
    private final InferenceConfig.WithoutModel withoutModel;
    private volatile CompletableFuture<String> followerFailed = new CompletableFuture<>();
    private volatile KafkaStreams streams;

    public InferenceHealth(ModelRegistry models, String defaultModel, InferenceConfig.WithoutModel withoutModel) {
        this.models = models;
        this.defaultModel = defaultModel;
        this.withoutModel = withoutModel;
    }

    public void following(CompletableFuture<String> failed) {
        this.followerFailed = failed;
    }

    public void scoring(KafkaStreams started) {
        this.streams = started;
    }

    public Probe live() {
        return () -> {
            if (followerFailed.isDone()) {
                return Probe.Result.down("the models follower stopped: " + followerFailed.getNow(""));
            }
            KafkaStreams s = streams;
            if (s == null) {
                return Probe.Result.up("starting: loading the base model or reading the models topic");
            }
            return StreamsProbes.live(s);
        };
    }

    public Probe ready() {
        return () -> {
            var served = models.version(defaultModel);
            if (served.isEmpty() && withoutModel == InferenceConfig.WithoutModel.WAIT) {
                return Probe.Result.down("no version of model '" + defaultModel + "' loaded yet (serve.without.model="
                        + "wait)");
            }
            KafkaStreams s = streams;
            if (s == null) {
                return Probe.Result.down("Kafka Streams is not started yet");
            }
            Probe.Result running = StreamsProbes.ready(s);
            return !running.ok() ? running : Probe.Result.up(running.reason() + "; model '" + defaultModel + "' serves "
                    + (served.isPresent() ? "v" + served.getAsLong() : "without a version (serve.without.model)"));
        };
    }
}
