package dev.sentiflow.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrainingConfigTest {

    @Test
    void defaultsAreTheNotebookRecipe() {
        TrainingConfig lora = TrainingConfig.defaults(TrainingMode.LORA);
        assertEquals(5e-4, lora.learningRate());
        assertEquals(2e-5, TrainingConfig.defaults(TrainingMode.FULL).learningRate());
        assertEquals(0.01, lora.weightDecay());
        assertEquals(0.1, lora.warmupRatio());
        assertEquals(3, lora.epochs());
        assertEquals(16, lora.batchSize());
        assertEquals(128, lora.maxLength());
        assertEquals(1.0, lora.maxGradNorm());
        assertEquals(1, lora.gradientAccumulation());
        assertEquals(42L, lora.seed());
        assertEquals(0, lora.earlyStoppingPatience());
    }

    @Test
    void stepCountsFollowHuggingFace() {
        // 4000 examples, batch 16: 250 steps per epoch, 750 in total, ceil(75.0) warm-up.
        TrainingConfig c = TrainingConfig.defaults(TrainingMode.LORA);
        assertEquals(250, c.stepsPerEpoch(4000));
        assertEquals(750, c.totalSteps(4000));
        assertEquals(75, c.warmupSteps(4000));
        // 65 examples → 5 batches; accumulation 2 → 3 optimizer steps per epoch.
        TrainingConfig acc = c.withGradientAccumulation(2);
        assertEquals(3, acc.stepsPerEpoch(65));
        assertEquals(1, c.withEpochs(1).withWarmupRatio(0.1).warmupSteps(16 * 3)); // ceil(0.3)
    }

    @Test
    void invalidValuesNameTheFieldAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.defaults(TrainingMode.FULL).withBatchSize(0));
        assertTrue(e.getMessage().contains("batchSize=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.defaults(TrainingMode.FULL).withWarmupRatio(1.5));
        assertTrue(e.getMessage().contains("warmupRatio=1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.defaults(TrainingMode.FULL).withLearningRate(-1));
        assertTrue(e.getMessage().contains("learningRate=-1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.defaults(TrainingMode.FULL).withMaxLength(1000));
    }

    @Test
    void modeParsesCaseInsensitivelyAndRejectsOthers() {
        assertEquals(TrainingMode.LORA, TrainingMode.parse("LoRA"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingMode.parse("qlora"));
        assertTrue(e.getMessage().contains("'qlora'"));
    }
}
