package dev.sentiflow.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The local stack's folder: {@code kafka/} (broker data and config), {@code registry/} (schema
 * database), {@code state/} (Streams state), {@code logs/}, the checkpoint signing key and
 * {@code client.properties}. A marker file says the folder is ours, so {@code --fresh} never wipes
 * a folder that merely has the same name; a lock held while the stack runs means no second stack
 * starts on it, and above all none wipes the data of the one running there.
 */
final class WorkFolder implements AutoCloseable {

    static final String MARKER = ".sentiflow-local-stack";
    static final String LOCK = ".lock";
    static final String CLIENT_PROPERTIES = "client.properties";
    private static final String SIGNING_KEY = "checkpoint-signing.key";

    private final Path root;
    private final boolean continued;
    private final FileChannel lock;

    private WorkFolder(Path root, boolean continued, FileChannel lock) {
        this.root = root;
        this.continued = continued;
        this.lock = lock;
    }

    /** Opens (creating, or with {@code fresh} first wiping) the folder. */
    static WorkFolder open(Path dir, boolean fresh) {
        Path root = dir.toAbsolutePath().normalize();
        try {
            boolean exists = Files.isDirectory(root) && !isEmpty(root);
            if (exists && !Files.exists(root.resolve(MARKER))) {
                throw new IllegalStateException(root + " is not empty and not a local-stack folder (no " + MARKER
                        + "); choose another --workdir");
            }
            Files.createDirectories(root);
            FileChannel lock = lock(root);
            try {
                if (exists && fresh) {
                    Path lockFile = root.resolve(LOCK);
                    try (Stream<Path> files = Files.walk(root)) {
                        files.sorted(java.util.Comparator.reverseOrder())
                                .filter(p -> !p.equals(root) && !p.equals(lockFile)).forEach(p -> p.toFile().delete());
                    }
                }
                Files.writeString(root.resolve(MARKER), "A sentiflow local stack keeps its data here; "
                        + "./pipeline local --fresh wipes it.\n");
            } catch (IOException | RuntimeException e) {
                lock.close();
                throw e;
            }
            return new WorkFolder(root, exists && !fresh, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the work folder " + root + ": " + e.getMessage(), e);
        }
    }

    /** Holds the folder's lock for this process, or says that another stack holds it. */
    private static FileChannel lock(Path root) throws IOException {
        FileChannel channel = FileChannel.open(root.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // held by this very process: a stack started earlier and not closed
        }
        channel.close();
        throw new IllegalStateException("another ./pipeline local runs on " + root + " (it holds " + root.resolve(LOCK)
                + "); stop it first, or choose another --workdir");
    }

    /** Lets another stack use the folder. */
    @Override
    public void close() {
        try {
            lock.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release " + root.resolve(LOCK), e);
        }
    }

    Path root() {
        return root;
    }

    Path logs() {
        return root.resolve("logs");
    }

    /** Whether an earlier run's data is here. */
    boolean continued() {
        return continued;
    }

    /**
     * The HMAC key trainer and inference share, made once per folder (kept, so checkpoints of an
     * earlier run still verify), readable by the owner only.
     */
    String signingKey() {
        Path file = root.resolve(SIGNING_KEY);
        try {
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                Files.writeString(file, HexFormat.of().formatHex(key));
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system; the key is for a local demo stack
                }
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /** Writes the addresses clients need, for {@code ./pipeline tail --config} and friends. */
    Path writeClientProperties(String bootstrapServers, String registryUrl) {
        Path file = root.resolve(CLIENT_PROPERTIES);
        Properties props = new Properties();
        props.setProperty("bootstrap.servers", bootstrapServers);
        props.setProperty(dev.sentiflow.deploy.cli.ClientSettings.REGISTRY_KEY, registryUrl);
        try (Writer out = Files.newBufferedWriter(file)) {
            props.store(out, "the running local stack; ./pipeline tail predictions --config " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> !p.getFileName().toString().equals(LOCK)).findAny().isEmpty();
        }
    }
}
