package dev.sentiflow.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, broker and controller combined) inside the test JVM.
 *
 * <p>Wraps Kafka's own {@code KafkaClusterTestKit}, which is Kafka's internal test code: this class is
 * the only place that touches it. Two settings are not optional with one broker: internal topics
 * need replication factor 1 (else {@code __consumer_offsets} is never created and groups sit in
 * REBALANCING), and the metadata version is pinned to the latest production one (the kit's default
 * is an unstable testing version). Start one per test class.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** What a broker in its own process prints once it accepts clients, before its address. */
    static final String READY = "embedded-kafka-ready ";

    /** The broker in this JVM; null when it runs in a child process. */
    private final KafkaClusterTestKit cluster;
    /** The child JVM running the broker; null when it runs in this one. */
    private final Process child;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Process child, String bootstrapServers) {
        this.cluster = cluster;
        this.child = child;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Runs the broker in a child JVM on this JVM's class path, for measurements where the broker must
     * not share the process (and its CPU accounting, heap and GC) with the clients. The child stops
     * when {@link #close()} closes its stdin, or when this JVM exits.
     */
    public static EmbeddedKafka startInChildProcess() {
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            Process p = new ProcessBuilder(javaBin, "-Xmx1g", "-cp", classPath(), EmbeddedKafka.class.getName())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(READY)) {
                    String bootstrap = line.substring(READY.length()).trim();
                    LOG.info("embedded Kafka ready at {} in child process {}", bootstrap, p.pid());
                    return new EmbeddedKafka(null, p, bootstrap);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("the broker's child JVM exited (" + p.waitFor() + ") before it was ready");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not start the broker's child JVM: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the broker's child JVM started", e);
        }
    }

    /** This JVM's class path; under {@code mvn exec:java} that is the project's class loader's, not java.class.path. */
    private static String classPath() {
        if (Thread.currentThread().getContextClassLoader() instanceof java.net.URLClassLoader urls
                && urls.getURLs().length > 0) {
            List<String> entries = new java.util.ArrayList<>();
            for (java.net.URL url : urls.getURLs()) {
                try {
                    entries.add(java.nio.file.Path.of(url.toURI()).toString());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException("a class path entry that is no path: " + url, e);
                }
            }
            return String.join(java.io.File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }

    /** A broker as a process of its own: prints {@link #READY} and its address, stops when stdin closes. */
    public static void main(String[] args) throws java.io.IOException {
        try (EmbeddedKafka kafka = start()) {
            System.out.println(READY + kafka.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes stdin or dies
            }
        }
    }

    /** Formats and starts a broker, returning once it accepts clients. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /** Like {@link #start()}, with extra broker properties (e.g. {@code message.max.bytes}). */
    public static EmbeddedKafka start(Map<String, String> brokerProperties) {
        long begin = System.nanoTime();
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false");
            brokerProperties.forEach(builder::setConfigProp);
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            EmbeddedKafka kafka = new EmbeddedKafka(kit, null, kit.bootstrapServers());
            LOG.info("embedded Kafka ready at {} in {} ms (metadata version {})", kit.bootstrapServers(),
                    (System.nanoTime() - begin) / 1_000_000, MetadataVersion.latestProduction());
            return kafka;
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka failed to start: " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** CPU time the broker's own process has used so far; empty when the broker runs in this JVM. */
    public java.util.Optional<Duration> processCpuTime() {
        return child == null ? java.util.Optional.empty() : child.toHandle().info().totalCpuDuration();
    }

    /** The broker's own process id; empty when the broker runs in this JVM. */
    public java.util.Optional<Long> processId() {
        return child == null ? java.util.Optional.empty() : java.util.Optional.of(child.pid());
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Creates topics with replication factor 1 and waits until they exist. */
    public void createTopics(int partitions, String... topics) {
        createTopics(List.of(topics).stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList());
    }

    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + topics + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every committed record of {@code topic}, all partitions, from the beginning to the end offsets
     * at the call, read as an exactly-once consumer must ({@code read_committed}); values as bytes.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            if (cluster != null) {
                cluster.close();
            } else {
                child.getOutputStream().close();
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroyForcibly();
        } catch (Exception e) {
            LOG.warn("embedded Kafka did not close cleanly: {}", e.toString());
        }
    }
}
