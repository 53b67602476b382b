package dev.sentiflow.schemas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourcesTest {

    @Test
    void filesThenArgumentsThenVariablesEachWinOverTheOnesBefore(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("app.properties"), "a=file\nb=file\nc=file\n");
        var loaded = ConfigSources.load(new String[] {file.toString(), "b=arg", "c=arg"},
                Map.of("SENTIFLOW_C", "env", "SENTIFLOW_CACHE_DIR", "/not/an/option"));
        assertEquals(Map.of("a", "file", "b", "arg", "c", "env"), loaded.values());
        assertEquals("environment variable SENTIFLOW_C", loaded.origins().get("c"));
    }

    @Test
    void aSettingsFileThatCannotBeReadIsABadConfigurationNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigSources.load(new String[] {missing.toString()}, Map.of()));
        assertTrue(e.getMessage().contains("cannot read settings file " + missing), e.getMessage());
    }
}
