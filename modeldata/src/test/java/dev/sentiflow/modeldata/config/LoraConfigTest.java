package dev.sentiflow.modeldata.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraConfigTest {

    @Test
    void defaultsAreTheNotebookRecipe() {
        LoraConfig c = LoraConfig.defaults();
        assertEquals(8, c.r());
        assertEquals(32f, c.alpha());
        assertEquals(4f, c.scale());
        assertEquals(0.1f, c.dropout());
        assertEquals(Set.of("attention.self.query", "attention.self.value"), c.targetedProjections());
        assertEquals(List.of("pooler", "classifier"), c.modulesToSave());
    }

    @Test
    void targetsMatchLikePeftAndDistilBertNamesMeanTheirBertProjections() {
        LoraConfig c = LoraConfig.defaults();
        assertEquals(Set.of("attention.self.query", "attention.self.value"),
                c.withTargets(List.of("q_lin", "v_lin")).targetedProjections());
        assertEquals(Set.of("attention.output.dense", "intermediate.dense", "output.dense"),
                c.withTargets(List.of("dense")).targetedProjections());
        assertEquals(Set.of("attention.self.key", "attention.output.dense"),
                c.withTargets(List.of("key", "out_lin")).targetedProjections());
        assertEquals(Set.of("intermediate.dense", "output.dense"),
                c.withTargets(List.of("lin1", "lin2")).targetedProjections());
        assertEquals(Set.of("attention.output.dense", "output.dense"),
                c.withTargets(List.of("output.dense")).targetedProjections());
    }

    @Test
    void badSettingsAreRefusedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoraConfig.defaults().withTargets(List.of("c_attn")));
        assertTrue(e.getMessage().contains("'c_attn'") && e.getMessage().contains("q_lin"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoraConfig.defaults().withRank(0, 32));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.defaults().withDropout(1f));
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.defaults().withTargets(List.of()));
    }
}
