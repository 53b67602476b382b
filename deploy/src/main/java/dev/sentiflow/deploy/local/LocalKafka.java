package dev.sentiflow.deploy.local;

import dev.sentiflow.testkit.ApicurioLauncher;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker as a child JVM: {@code kafka.Kafka} from the Maven-resolved jars
 * on the launcher's class path, KRaft with broker and controller combined, PLAINTEXT and CONTROLLER
 * listeners on 127.0.0.1, internal topics at replication factor 1, data under {@code <workdir>/kafka}.
 *
 * <p>The first start picks free ports, writes {@code server.properties} and formats the storage
 * ({@code kafka.tools.StorageTool format --standalone}). Later starts on the same folder reuse both,
 * so the broker continues with its topics and offsets; the ports stay the same because the KRaft
 * voter set formatted on the first start names the controller's address.
 */
public final class LocalKafka {

    public static final String NAME = "kafka";
    static final String HEAP = "512m";
    /** The broker's own INFO lines are what its log is for, whatever the launcher quietens for itself. */
    private static final Map<String, String> BROKER_LOGGING = Map.of("org.slf4j.simpleLogger.log.org.apache.kafka", "info",
            "org.slf4j.simpleLogger.log.kafka", "info");
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

    private final ChildProcesses.Child child;
    private final String bootstrapServers;
    private final boolean reused;

    private LocalKafka(ChildProcesses.Child child, String bootstrapServers, boolean reused) {
        this.child = child;
        this.bootstrapServers = bootstrapServers;
        this.reused = reused;
    }

    /**
     * The listener clients reach the broker on: PLAINTEXT (the local stack's), or a secured one with the
     * server settings it needs, the storage-format arguments that create its users (SCRAM credentials
     * live in the cluster metadata, so they are written at format time) and the client settings that
     * reach it. The controller keeps its own PLAINTEXT listener on loopback, which no client uses.
     */
    public record ClientListener(String protocol, Map<String, String> serverSettings, List<String> formatArguments,
            Map<String, Object> clientSettings) {
        public static final ClientListener PLAINTEXT = new ClientListener("PLAINTEXT", Map.of(), List.of(), Map.of());
    }

    /** Formats (first time only) and starts the broker, returning once it answers an Admin client. */
    public static LocalKafka start(ChildProcesses children, Path workdir) throws InterruptedException {
        return start(children, workdir, ClientListener.PLAINTEXT);
    }

    /** {@link #start(ChildProcesses, Path)} with clients on {@code listener}. */
    public static LocalKafka start(ChildProcesses children, Path workdir, ClientListener listener)
            throws InterruptedException {
        Path dir = workdir.resolve("kafka").toAbsolutePath();
        Path data = dir.resolve("data");
        Path config = dir.resolve("server.properties");
        boolean reuse = Files.exists(config) && Files.exists(data.resolve("meta.properties"));
        Properties props;
        if (reuse) {
            props = load(config);
            requireFree(props, config);
        } else {
            props = serverProperties(data, ApicurioLauncher.freeLoopbackPort(), ApicurioLauncher.freeLoopbackPort(),
                    listener);
            format(children, dir, data, config, props, listener.formatArguments());
        }
        ChildProcesses.Child child = children.start(NAME,
                JavaCommand.of(HEAP, BROKER_LOGGING, "kafka.Kafka", List.of(config.toString())), dir, Map.of());
        String bootstrap = "127.0.0.1:" + port(props, listener.protocol());
        awaitReady(bootstrap, child, listener.clientSettings());
        return new LocalKafka(child, bootstrap, reuse);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public ChildProcesses.Child child() {
        return child;
    }

    /** Whether this start continued an earlier run's data. */
    public boolean reused() {
        return reused;
    }

    static Properties serverProperties(Path data, int brokerPort, int controllerPort) {
        return serverProperties(data, brokerPort, controllerPort, ClientListener.PLAINTEXT);
    }

    static Properties serverProperties(Path data, int brokerPort, int controllerPort, ClientListener listener) {
        Properties p = new Properties();
        String name = listener.protocol();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("listeners", name + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", name + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:"
                + controllerPort);
        p.setProperty("listener.security.protocol.map", name + ":" + name + ",CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", name);
        // --standalone is refused together with controller.quorum.voters; the bootstrap form is the new one.
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty("log.dirs", data.toString());
        // One broker: internal topics at RF 1, or __consumer_offsets never appears and groups hang.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Topics come from `pipeline topics` with their settings, never from a typo in a client.
        p.setProperty("auto.create.topics.enable", "false");
        listener.serverSettings().forEach(p::setProperty);
        return p;
    }

    private static void format(ChildProcesses children, Path dir, Path data, Path config, Properties props,
            List<String> extraArguments) throws InterruptedException {
        try {
            if (Files.exists(data)) {
                // A folder without meta.properties is a format that never finished: start it over.
                try (var files = Files.walk(data)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
            try (Writer out = Files.newBufferedWriter(config)) {
                props.store(out, "local stack broker, written on the first start; delete the work folder to start over");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
        // What `StorageTool random-uuid` prints, without starting a JVM for it.
        String clusterId = Uuid.randomUuid().toString();
        List<String> arguments = new java.util.ArrayList<>(List.of("format", "--standalone", "-t", clusterId, "-c",
                config.toString()));
        arguments.addAll(extraArguments);
        int code = children.run("kafka-format", JavaCommand.of("256m", "kafka.tools.StorageTool", arguments),
                FORMAT_TIMEOUT);
        if (code != 0) {
            Path log = children.logOf("kafka-format");
            throw new IllegalStateException("formatting the broker storage failed with exit code " + code + "; see "
                    + log + "\n  | " + String.join("\n  | ", LogTail.lastLines(log, 15)));
        }
    }

    private static void awaitReady(String bootstrap, ChildProcesses.Child child, Map<String, Object> clientSettings)
            throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        // First the bare port, so the Admin client below does not log a warning per refused connection.
        awaitListening(bootstrap, child, deadline);
        Map<String, Object> settings = new java.util.HashMap<>(clientSettings);
        settings.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500));
        try (Admin admin = Admin.create(settings)) {
            while (System.nanoTime() < deadline) {
                if (!child.process().isAlive()) {
                    throw new IllegalStateException("the broker exited with code " + child.process().exitValue()
                            + " during start-up; see " + child.log() + "\n  | "
                            + String.join("\n  | ", LogTail.lastLines(child.log(), 15)));
                }
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes()
                            .get(4, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not accepting clients yet; the call itself waited
                }
            }
        }
        throw new IllegalStateException("the broker did not accept clients within " + STARTUP_TIMEOUT.toSeconds()
                + " s; see " + child.log());
    }

    private static void awaitListening(String bootstrap, ChildProcesses.Child child, long deadline)
            throws InterruptedException {
        int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        while (System.nanoTime() < deadline && child.process().isAlive()) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return;
            } catch (IOException e) {
                // Poll interval of a deadline-bounded wait.
                Thread.sleep(100);
            }
        }
    }

    /** The port of the listener with this name in {@code listeners}. */
    static int port(Properties props, String listenerName) {
        for (String listener : props.getProperty("listeners").split(",")) {
            if (listener.startsWith(listenerName + "://")) {
                return Integer.parseInt(listener.substring(listener.lastIndexOf(':') + 1));
            }
        }
        throw new IllegalStateException("no " + listenerName + " listener in " + props.getProperty("listeners"));
    }

    private static void requireFree(Properties props, Path config) {
        for (String listener : props.getProperty("listeners").split(",")) {
            int port = Integer.parseInt(listener.substring(listener.lastIndexOf(':') + 1));
            try (ServerSocket probe = new ServerSocket(port, 0, InetAddress.getLoopbackAddress())) {
                // free: closed again at once
            } catch (IOException e) {
                throw new IllegalStateException("port " + port + " of " + listener + " (from " + config + ") is in use: "
                        + "is another local stack running on this work folder? Stop it, or start over with --fresh");
            }
        }
    }

    private static Properties load(Path config) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(config)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config, e);
        }
        return props;
    }
}
