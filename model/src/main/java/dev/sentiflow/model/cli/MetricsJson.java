package dev.sentiflow.model.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentiflow.model.train.EpochResult;
import dev.sentiflow.model.train.FineTuneResult;
import dev.sentiflow.model.train.TrainingConfig;
import dev.sentiflow.modeldata.metrics.ClassScores;
import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The machine-readable record of a fine-tune: recipe, per-epoch scores, the loss curve. */
final class MetricsJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MetricsJson() {}

    static void write(Path file, FineTuneOptions options, String baseHash, List<String> labels, long trainExamples,
            long evalExamples, long trainableWeights, long totalWeights, FineTuneResult result) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("base", options.base());
        root.put("baseHash", baseHash);
        root.put("train", options.train().toString());
        options.eval().ifPresent(e -> root.put("eval", e.toString()));
        options.evalFraction().ifPresent(f -> root.put("evalFraction", f));
        root.put("trainExamples", trainExamples);
        root.put("evalExamples", evalExamples);
        root.set("labels", JSON.valueToTree(labels));
        root.put("trainableWeights", trainableWeights);
        root.put("totalWeights", totalWeights);
        TrainingConfig c = options.training();
        ObjectNode config = root.putObject("config");
        config.put("mode", c.mode().name().toLowerCase(java.util.Locale.ROOT));
        config.put("learningRate", c.learningRate());
        config.put("weightDecay", c.weightDecay());
        config.put("warmupRatio", c.warmupRatio());
        config.put("epochs", c.epochs());
        config.put("batchSize", c.batchSize());
        config.put("maxLength", c.maxLength());
        config.put("maxGradNorm", c.maxGradNorm());
        config.put("gradientAccumulation", c.gradientAccumulation());
        config.put("seed", c.seed());
        config.put("earlyStoppingPatience", c.earlyStoppingPatience());
        root.put("bestEpoch", result.bestEpoch());
        root.put("stoppedEarly", result.stoppedEarly());
        ArrayNode epochs = root.putArray("epochs");
        for (EpochResult e : result.epochs()) {
            ObjectNode node = epochs.addObject();
            node.put("epoch", e.epoch());
            node.put("step", e.lastStep());
            node.put("trainLoss", e.trainLoss());
            node.put("evalLoss", e.eval().loss());
            node.put("accuracy", e.eval().accuracy());
            node.put("macroF1", e.eval().macroF1());
            node.put("trainSamplesPerSecond", e.trainSamplesPerSecond());
            node.put("evalSamplesPerSecond", e.eval().samplesPerSecond());
            ConfusionMatrix confusion = e.eval().confusion();
            ArrayNode classes = node.putArray("perClass");
            for (ClassScores s : confusion.perClass()) {
                ObjectNode cls = classes.addObject();
                cls.put("label", s.label());
                cls.put("precision", s.precision());
                cls.put("recall", s.recall());
                cls.put("f1", s.f1());
                cls.put("support", s.support());
            }
            node.set("confusion", JSON.valueToTree(confusion.counts()));
        }
        root.set("stepLosses", JSON.valueToTree(result.stepLosses()));
        JSON.writeValue(file.toFile(), root);
    }
}
