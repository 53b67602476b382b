package dev.sentiflow.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildProcessesTest {

    @Test
    void aChildKeepsTheShellsEnvironmentButNoneOfItsServiceOptions() {
        Map<String, String> shell = Map.of("PATH", "/usr/bin", "SENTIFLOW_BOOTSTRAP_SERVERS", "prod:9092",
                "SENTIFLOW_ROUND_SIZE", "50", "SENTIFLOW_CACHE_DIR", "/cache", "SENTIFLOW_DEVICE", "cpu");
        Map<String, String> child = ChildProcesses.environment(shell,
                Map.of("SENTIFLOW_CHECKPOINT_SIGNING_KEY", "local-key"));
        assertEquals(Map.of("PATH", "/usr/bin", "SENTIFLOW_CACHE_DIR", "/cache", "SENTIFLOW_DEVICE", "cpu",
                "SENTIFLOW_CHECKPOINT_SIGNING_KEY", "local-key"), child,
                "options from the shell are dropped; the scripts' own variables and what the stack sets stay");
    }
}
