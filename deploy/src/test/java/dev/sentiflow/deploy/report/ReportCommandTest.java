package dev.sentiflow.deploy.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.deploy.Pipeline;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pipeline report}'s command line: what it refuses before starting anything. */
class ReportCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine line = Pipeline.launcher().commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void isListedWithItsOptions() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("\n  report "), out.toString());
        assertEquals(0, run("report", "--help"));
        for (String option : new String[] {"--workdir", "--config", "--out", "--registry", "--timeout"}) {
            assertTrue(out.toString().contains(option), option + " in:\n" + out);
        }
    }

    @Test
    void aMissingWorkFolderExitsTwoNamingIt() {
        Path missing = dir.resolve("nothing-here");
        assertEquals(2, run("report", "--workdir", missing.toString()));
        assertTrue(err.toString().contains(missing + " does not exist"), err.toString());
        assertTrue(Files.notExists(missing), "nothing is created");
    }

    @Test
    void aFolderThatIsNotALocalStackIsRefused() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertEquals(2, run("report", "--workdir", dir.toString()));
        assertTrue(err.toString().contains("is not a local-stack work folder"), err.toString());
    }

    @Test
    void aStackThatNeverStartedItsBrokerIsRefused() throws Exception {
        Files.writeString(dir.resolve(".sentiflow-local-stack"), "");
        assertEquals(2, run("report", "--workdir", dir.toString()));
        assertTrue(err.toString().contains("holds no broker data yet"), err.toString());
        assertTrue(Files.notExists(dir.resolve("kafka")), "no broker is formatted");
    }

    @Test
    void workdirAndConfigTogetherAreRefused() {
        assertEquals(2, run("report", "--workdir", dir.toString(), "--config", dir.resolve("c.properties").toString()));
        assertTrue(err.toString().contains("give one of them"), err.toString());
    }
}
