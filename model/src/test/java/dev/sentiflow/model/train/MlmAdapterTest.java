package dev.sentiflow.model.train;

import dev.sentiflow.modeldata.weights.BaseWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.MaskedLanguageModel;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowFormat;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MlmAdapterTest {

    @Test
    void adaptationLowersHeldOutMaskedTokenLoss() throws Exception {
        List<int[]> train = new ArrayList<>();
        List<int[]> heldOut = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager();
                BaseModel base = BaseModels.load(manager, BaseWeights.MINILM);
                TextTokenizer tokenizer = TextTokenizer.bundled(32);
                Stream<Row> rows = RowReaders.rows(
                        new InputStreamReader(MlmAdapterTest.class.getResourceAsStream("uci_sample.csv"), StandardCharsets.UTF_8),
                        "uci_sample.csv", RowFormat.CSV)) {
            for (Row row : rows.collect(Collectors.toList())) {
                (row.require("split").equals("train") ? train : heldOut).add(tokenizer.encode(row.require("text")));
            }
            MaskedLanguageModel model = Classifiers.createMaskedLm(manager, base, Optional.of(LoraConfig.defaults()), 42);
            Map<String, Parameter> named = model.namedParameters();
            TrainingConfig config = TrainingConfig.defaults(TrainingMode.LORA)
                    .withLearningRate(2e-3).withBatchSize(8).withEpochs(2).withMaxLength(32);
            MlmResult result = new MlmAdapter(config, tokenizer.maskId(), tokenizer.padId(), tokenizer.vocabSize(),
                    tokenizer::isSpecial).run(model, named, manager, train, heldOut);
            assertEquals(16, result.stepLosses().size());
            assertEquals(2, result.epochLosses().size());
            assertTrue(result.heldOutLossAfter() < result.heldOutLossBefore() - 0.1,
                    "held-out MLM loss " + result.heldOutLossBefore() + " → " + result.heldOutLossAfter());
            assertTrue(Double.isFinite(result.heldOutPerplexityAfter()));
        }
    }
}
