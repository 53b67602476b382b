package dev.sentiflow.deploy.local;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkFolderTest {

    @Test
    void aSecondFreshStackOnAFolderInUseIsRefusedAndWipesNothing(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("stack");
        Path brokerLog;
        try (WorkFolder running = WorkFolder.open(data, false)) {
            brokerLog = Files.createDirectories(running.root().resolve("kafka")).resolve("00000.log");
            Files.writeString(brokerLog, "records");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> WorkFolder.open(data, true));
            assertTrue(e.getMessage().contains("another ./pipeline local runs on"), e.getMessage());
            assertTrue(Files.exists(brokerLog), "the running stack's data is untouched");
        }
        try (WorkFolder next = WorkFolder.open(data, true)) {
            assertFalse(Files.exists(brokerLog), "once it stopped, --fresh wipes it");
            assertFalse(next.continued());
        }
    }

    @Test
    void reportDoesNotReopenAFolderAStackRunsOn(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("stack");
        try (WorkFolder running = WorkFolder.open(data, false)) {
            Files.createDirectories(data.resolve("kafka/data"));
            Files.writeString(data.resolve("kafka/server.properties"), "");
            Files.writeString(data.resolve("kafka/data/meta.properties"), "");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ReopenedStack.open(data, System.out));
            assertTrue(e.getMessage().contains("another ./pipeline local runs on")
                    && e.getMessage().contains("client.properties"), e.getMessage());
        }
    }
}
