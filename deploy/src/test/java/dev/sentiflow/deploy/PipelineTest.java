package dev.sentiflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.deploy.service.ServiceCommand;
import dev.sentiflow.deploy.service.ServiceMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The launcher's command line: what it lists, what it refuses, what it hands over. */
class PipelineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine line = Pipeline.launcher().commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void helpListsEverySubcommand() {
        assertEquals(0, run("--help"));
        for (String command : List.of("local", "ingest", "trainer", "inference", "produce", "predict", "finetune",
                "tail", "topics", "report")) {
            assertTrue(out.toString().contains("\n  " + command + " "), command + " missing from:\n" + out);
        }
    }

    @Test
    void anUnknownOptionExitsTwoNamingIt() {
        assertEquals(2, run("topics", "--partitons", "3"));
        assertTrue(err.toString().contains("--partitons"), err.toString());
    }

    @Test
    void anUnknownCommandExitsTwoNamingIt() {
        assertEquals(2, run("deploy-everything"));
        assertTrue(err.toString().contains("deploy-everything"), err.toString());
    }

    @Test
    void badValuesExitTwoWithTheReason() {
        assertEquals(2, run("tail", "everything"));
        assertTrue(err.toString().contains("predictions, metrics, live, dlq"), err.toString());
        assertEquals(2, run("local", "--rate", "0"));
        assertTrue(err.toString().contains("--rate must be above 0"), err.toString());
        assertEquals(2, run("local", "--duration", "soon"));
        assertTrue(err.toString().contains("'soon' is not a duration"), err.toString());
        assertEquals(2, run("local", "--until-version", "0"));
        assertTrue(err.toString().contains("--until-version must be at least 1, got 0"), err.toString());
        assertEquals(2, run("topics", "--partitions", "0"));
        assertTrue(err.toString().contains("--partitions must be at least 1"), err.toString());
    }

    @Test
    void eachCommandHasItsOwnHelp() {
        assertEquals(0, run("local", "--help"));
        assertTrue(out.toString().contains("--labeled-share"), out.toString());
        assertEquals(0, run("topics", "--help"));
        assertTrue(out.toString().contains("--replication-factor"), out.toString());
        assertEquals(0, run("tail", "--help"));
        assertTrue(out.toString().contains("--from-beginning"), out.toString());
    }

    @Test
    void aServiceGetsEveryArgumentItsOwnHelpIncluded() {
        RecordingMain.received = null;
        CommandLine service = ServiceCommand.of(new ServiceMain("echo", RecordingMain.class.getName(), "records",
                "test", Map.of()));
        service.setErr(new PrintWriter(err, true));
        assertEquals(0, service.execute("--help", "bootstrap.servers=b:9092", "-x", "--limit", "3"));
        assertEquals(List.of("--help", "bootstrap.servers=b:9092", "-x", "--limit", "3"), RecordingMain.received);
        assertTrue(((ServiceCommand) service.getCommand()).handedOver());
    }

    @Test
    void aServiceThatIsNotBuiltSaysSo() {
        CommandLine service = ServiceCommand.of(new ServiceMain("ghost", "dev.sentiflow.ghost.GhostApp", "not there",
                "ghost", Map.of()));
        service.setErr(new PrintWriter(err, true));
        assertEquals(1, service.execute("x=y"));
        assertTrue(err.toString().contains("ghost is not built yet: dev.sentiflow.ghost.GhostApp is not on the class path"),
                err.toString());
        assertTrue(!((ServiceCommand) service.getCommand()).handedOver());
    }

    @Test
    void theModulesOfThisReactorAreFoundByClassName() {
        // The launcher depends on these modules, so their mains must resolve (a renamed class fails here).
        assertTrue(ServiceMain.INGEST.isBuilt());
        assertTrue(ServiceMain.PRODUCE.isBuilt());
        assertTrue(ServiceMain.FINETUNE.isBuilt());
    }

    /** A main that remembers what it was given. */
    public static final class RecordingMain {
        static List<String> received;

        public static void main(String[] args) {
            received = List.of(args);
        }
    }
}
