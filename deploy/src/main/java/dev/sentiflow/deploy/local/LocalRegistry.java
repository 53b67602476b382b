package dev.sentiflow.deploy.local;

import dev.sentiflow.testkit.ApicurioLauncher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The schema registry of the local stack: Apicurio Registry 3.0.9, started the way the tests start
 * it ({@link ApicurioLauncher}), as a watched child bound to 127.0.0.1 on a free port.
 *
 * <p>Unlike the tests' in-memory registry, it keeps its data in an H2 database file under
 * {@code <workdir>/registry}: records already on the topics carry schema ids, and a registry that
 * forgot them on restart would hand out different ids for the same schemas, leaving the earlier
 * records undecodable. With the file, a second run on the same folder serves the same ids.
 */
public final class LocalRegistry {

    public static final String NAME = "registry";

    private final ChildProcesses.Child child;
    private final String url;

    private LocalRegistry(ChildProcesses.Child child, String url) {
        this.child = child;
        this.url = url;
    }

    /** Starts the registry and returns once its Confluent-compatible API answers. */
    public static LocalRegistry start(ChildProcesses children, Path workdir) {
        Path runner = ApicurioLauncher.locateRunner();
        Path dir = workdir.resolve("registry").toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        int port = ApicurioLauncher.freeLoopbackPort();
        ChildProcesses.Child child = children.start(NAME, ApicurioLauncher.command(runner,
                port, ApicurioLauncher.freeLoopbackPort(), ApicurioLauncher.fileStorage(dir)),
                runner.getParent(), Map.of());
        String url = ApicurioLauncher.confluentApiUrl(port);
        ApicurioLauncher.awaitReady(url, child.process(), ApicurioLauncher.STARTUP_TIMEOUT,
                () -> "see " + child.log() + "\n  | " + String.join("\n  | ", LogTail.lastLines(child.log(), 15)));
        return new LocalRegistry(child, url);
    }

    /** Base URL of the Confluent-compatible API, for {@code schema.registry.url}. */
    public String url() {
        return url;
    }

    public ChildProcesses.Child child() {
        return child;
    }
}
