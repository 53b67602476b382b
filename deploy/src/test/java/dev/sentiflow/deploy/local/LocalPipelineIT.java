package dev.sentiflow.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.deploy.Pipeline;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's first command, shortened: {@code pipeline local} on a real broker, registry and the three
 * services as child JVMs (MiniLM, rounds of 300 labels), the bundled reviews streamed in fast. A first run must publish two versions, hot-swap to the second, exit 0 and leave no process;
 * a second run on the same folder continues it, and a {@code kill -9} of one child mid-run is
 * noticed, reported and ends the run with every other child stopped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalPipelineIT {

    private static final Pattern STARTED = Pattern.compile("local: (\\w+) started \\(pid (\\d+),");
    // The reviews keep coming (sent again once all are sent), so inference scores beside every round: at 20/s
    // and rounds of 300 for 3 epochs, v2 came at about 4:50 on 2 cores (its round waited out inference's backlog
    // of the reviews sent before v1); rounds of 200 for 2 epochs leave minutes to spare.
    // 500 reviews (about 225 labeled for training) cannot fill the two rounds of 150+ that v2 needs, so pass 2
    // has always begun before v2 serves: with all 2395, a CI run that published v1 at once stopped at v2 before
    // the 120 s first pass ended.
    private static final List<String> SMALL = List.of("--rate", "20", "--reviews", "500",
            "--set", "trainer.round.size=200", "--set", "trainer.round.min.examples=150", "--set", "trainer.epochs=2",
            "--set", "trainer.round.max.wait.ms=15000",
            // A small replay keeps the second round short on a slow or busy machine (it trained 600 examples here).
            "--set", "trainer.replay.capacity=150",
            // This test is about the loop (publish, swap, continue), not the gate (GateTest's): on ~90 evaluation
            // examples macro-F1 moves by a few points between rounds, and the default 0.01 tolerance refused v2 in
            // one CI run (0.912 vs 0.934) and let it through by 0.0007 in another.
            "--set", "trainer.gate.tolerance=0.1");

    @TempDir
    static Path workdir;

    private PrintStream stdout;
    private PrintStream stderr;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private java.util.Set<Long> before = java.util.Set.of();

    @BeforeEach
    void capture() {
        before = descendants();
        System.setProperty("sentiflow.home", Path.of("..").toAbsolutePath().normalize().toString());
        stdout = System.out;
        stderr = System.err;
        System.setOut(tee(stdout));
        System.setErr(tee(stderr));
    }

    @AfterEach
    void restore() throws InterruptedException {
        System.setOut(stdout);
        System.setErr(stderr);
        // A test that failed mid-run left the launcher's children behind (a passing one asserts there are
        // none): stop them, so they do not hold ports, memory and CPU for the rest of the build.
        List<ProcessHandle> left = ProcessHandle.current().descendants()
                .filter(p -> p.isAlive() && !before.contains(p.pid())).toList();
        left.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : left) {
            if (!p.onExit().completeOnTimeout(p, 10, TimeUnit.SECONDS).join().isAlive()) {
                continue;
            }
            p.destroyForcibly();
        }
        if (!left.isEmpty()) {
            stderr.println("LocalPipelineIT: stopped " + left.size() + " process(es) a failed run left behind");
        }
    }

    private static java.util.Set<Long> descendants() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid)
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    @Order(1)
    void aShortRunPublishesTwoVersionsHotSwapsAndLeavesNothingRunning() throws Exception {
        // Ends once v2 serves and has live accuracy; the duration only bounds a run that gets stuck.
        int code = local("--fresh", "--duration", "420s", "--until-version", "2");
        String out = output();
        assertEquals(0, code, missing("exit code 0", out));
        long published = out.lines().filter(l -> l.matches("local: v\\d+ PUBLISHED .*")).count();
        assertTrue(published >= 2, missing("two published versions", out));
        assertSays(out, "local: first predictions: model default serves v1");
        // The swap is in inference's log, and the console says so whether or not traffic follows it.
        assertTrue(Pattern.compile("local: inference now serves default v[2-9] \\(was v1\\)").matcher(out).find(),
                missing("a console line for the swap to a second version", out));
        // After the swap the status line names the new version, though no prediction has named it yet.
        assertTrue(Pattern.compile("(?m)^\\[\\d\\d:\\d\\d\\] .*\\| default v[2-9]\\b").matcher(out).find(),
                missing("a status line naming the swapped-in version", out));
        // Each served version scored on the fixed test split (never streamed), the second beside the first.
        assertTrue(Pattern.compile("local: default v1 test accuracy 0\\.\\d{4}, macro-F1 0\\.\\d{4} on \\d+").matcher(out)
                .find(), missing("v1's test accuracy", out));
        assertTrue(Pattern.compile("local: default v[2-9] test accuracy 0\\.\\d{4}, macro-F1 0\\.\\d{4} on \\d+ \\(v1 ")
                .matcher(out).find(), missing("the second version's test accuracy beside v1's", out));
        String inferenceLog = java.nio.file.Files.readString(workdir.resolve("logs").resolve("inference.log"));
        assertTrue(Pattern.compile("model default: now serving v[2-9] \\(was v1").matcher(inferenceLog).find(),
                missing("inference swapped to a second version", inferenceLog));
        // The reviews keep coming (sent again under fresh ids once all are sent), so the second version
        // scores live traffic too, shown beside the first's.
        // 1.000 too: a CI run stopped on v2's first window of 27 predictions, all right.
        assertTrue(Pattern.compile("\\| default v[2-9] live [01]\\.\\d{3} \\(\\d+\\), v1 [01]\\.\\d{3} \\(\\d+\\)")
                .matcher(out).find(), missing("live accuracy of two versions on the status line", out));
        assertSays(out, "pass 2 sends them again as ID#2");
        assertTrue(out.contains("| training v"), missing("a round's progress bar", out));
        assertNoChildLeft();
    }

    @Test
    @Order(2)
    void aKilledChildIsReportedAndTheOthersAreStopped() throws Exception {
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> local("--duration", "10m"));
        long pid = awaitChildPid("inference", Duration.ofMinutes(2));
        // mid-run: it has loaded the versions the first run published
        awaitLog(workdir.resolve("logs").resolve("inference.log"), "now serving v", Duration.ofMinutes(2));
        ProcessHandle inference = ProcessHandle.of(pid).orElseThrow();
        assertTrue(inference.destroyForcibly(), "kill -9 " + pid);
        int code = run.get(2, TimeUnit.MINUTES);
        String out = output();
        assertEquals(1, code, missing("exit code 1", out));
        assertSays(out, "(continuing its earlier run)");
        assertSays(out, "are on reviews from the earlier run");
        assertSays(out, "inference (pid " + pid + ") exited unexpectedly with code 137 (signal 9)");
        assertSays(out, "local: stopped the other children because inference died");
        assertNoChildLeft();
    }

    private int local(String... args) {
        List<String> all = new ArrayList<>(List.of("local", "--workdir", workdir.toString()));
        all.addAll(List.of(args));
        all.addAll(SMALL);
        return Pipeline.launcher().commandLine().execute(all.toArray(String[]::new));
    }

    private long awaitChildPid(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = STARTED.matcher(output());
            while (m.find()) {
                if (m.group(1).equals(name)) {
                    return Long.parseLong(m.group(2));
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError(name + " did not start within " + timeout + ":\n" + output());
    }

    private void awaitLog(Path log, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!java.nio.file.Files.exists(log) || !java.nio.file.Files.readString(log).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' in " + log + " within " + timeout + ":\n" + output());
            }
            Thread.sleep(500);
        }
    }

    /** Nothing the launcher started (broker, registry, services, their children) outlives it. */
    private static void assertNoChildLeft() {
        List<String> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
        assertTrue(left.isEmpty(), "still running: " + left);
    }

    private static void assertSays(String out, String text) {
        assertTrue(out.contains(text), missing(text, out));
    }

    /**
     * A failure message naming what is missing before and after the output: CI shows a failure's tail, and the
     * output is long.
     */
    private static String missing(String what, String output) {
        return "missing: " + what + "\n" + output + "\n(missing: " + what + ")";
    }

    private String output() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    private PrintStream tee(PrintStream original) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (captured) {
                    captured.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (captured) {
                    captured.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }
}
