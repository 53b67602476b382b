package dev.sentiflow.schemas.checkpoint;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.OffsetRange;
import dev.sentiflow.avro.Rollout;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signatures of checkpoints with a secret shared by the trainer and inference.
 *
 * <p>The MAC covers a canonical byte string of the whole {@link CheckpointHeader} (name, version,
 * kind, base hash, tokenizer id, labels, LoRA config, metrics, lineage, parent, creation time, rollout) and
 * the payload's SHA-256, not the payload hash alone: a forger who keeps the bytes but relabels the
 * classes, claims another base model or inflates the metrics must fail too. Each field is written
 * with its length (or a presence flag), so two different headers can never encode to the same
 * bytes; the metrics map is written in key order so the encoding does not depend on map iteration.
 * A field added to the header must be added to {@link #canonicalBytes} under a new format tag.
 *
 * <p>A signature is {@code keyId (8 bytes) || HMAC (32 bytes)}, where the key id is itself an HMAC
 * of a fixed string under the key. It reveals nothing about the key, but lets a reader tell "signed
 * with another key" (a configuration error) from "altered after signing" (an attack or corruption).
 */
public final class CheckpointSigner {

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] FORMAT = "sentiflow.checkpoint.signature.v1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DECISION_FORMAT = "sentiflow.decision.signature.v1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_ID_INPUT = "sentiflow.checkpoint.key-id.v1".getBytes(StandardCharsets.UTF_8);
    static final int KEY_ID_BYTES = 8;
    static final int MAC_BYTES = 32;
    /** The length of every signature this class writes. */
    public static final int SIGNATURE_BYTES = KEY_ID_BYTES + MAC_BYTES;

    private final SecretKeySpec key;
    private final byte[] keyId;

    public CheckpointSigner(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length == 0) {
            throw new IllegalArgumentException("a signing secret must not be empty");
        }
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
        this.keyId = Arrays.copyOf(mac(KEY_ID_INPUT), KEY_ID_BYTES);
    }

    /**
     * The signer for a configured secret (UTF-8), or empty when the secret is empty or null, which is
     * how {@code checkpoint.signing.key} says "unsigned".
     */
    public static Optional<CheckpointSigner> fromSecret(String secret) {
        return secret == null || secret.isEmpty() ? Optional.empty()
                : Optional.of(new CheckpointSigner(secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** The signature to put into every chunk of the checkpoint with this header and payload hash. */
    public byte[] sign(CheckpointHeader header, String sha256) {
        byte[] mac = mac(canonicalBytes(header, sha256));
        byte[] signature = Arrays.copyOf(keyId, SIGNATURE_BYTES);
        System.arraycopy(mac, 0, signature, KEY_ID_BYTES, MAC_BYTES);
        return signature;
    }

    /** Checks a signature (null when the chunk had none) against the header and payload hash it came with. */
    public SignatureCheck verify(CheckpointHeader header, String sha256, byte[] signature) {
        if (signature == null) {
            return SignatureCheck.UNSIGNED;
        }
        if (signature.length != SIGNATURE_BYTES) {
            return SignatureCheck.MALFORMED;
        }
        if (!MessageDigest.isEqual(keyId, Arrays.copyOf(signature, KEY_ID_BYTES))) {
            return SignatureCheck.WRONG_KEY;
        }
        byte[] expected = mac(canonicalBytes(header, sha256));
        // Constant time, so response timing does not reveal how many leading bytes of a forgery were right.
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(signature, KEY_ID_BYTES, SIGNATURE_BYTES))
                ? SignatureCheck.VALID : SignatureCheck.FORGED;
    }

    /**
     * {@code decision} with its signature set: a rollout decision changes what every inference instance
     * serves and whom the trainer trains from, so with a key set it must be ours as much as a checkpoint.
     */
    public LiveMetrics signDecision(LiveMetrics decision) {
        byte[] mac = mac(decisionBytes(decision));
        byte[] signature = Arrays.copyOf(keyId, SIGNATURE_BYTES);
        System.arraycopy(mac, 0, signature, KEY_ID_BYTES, MAC_BYTES);
        return LiveMetrics.newBuilder(decision).setSignature(ByteBuffer.wrap(signature)).build();
    }

    /** Checks the signature a decision came with. */
    public SignatureCheck verifyDecision(LiveMetrics decision) {
        if (decision.getSignature() == null) {
            return SignatureCheck.UNSIGNED;
        }
        ByteBuffer b = decision.getSignature().duplicate();
        byte[] signature = new byte[b.remaining()];
        b.get(signature);
        if (signature.length != SIGNATURE_BYTES) {
            return SignatureCheck.MALFORMED;
        }
        if (!MessageDigest.isEqual(keyId, Arrays.copyOf(signature, KEY_ID_BYTES))) {
            return SignatureCheck.WRONG_KEY;
        }
        return MessageDigest.isEqual(mac(decisionBytes(decision)), Arrays.copyOfRange(signature, KEY_ID_BYTES,
                SIGNATURE_BYTES)) ? SignatureCheck.VALID : SignatureCheck.FORGED;
    }

    /** What a decision's MAC covers: what it decides (the numbers beside it only explain it). */
    static byte[] decisionBytes(LiveMetrics m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(DECISION_FORMAT);
            string(out, m.getModelName());
            out.writeLong(m.getModelVersion());
            string(out, m.getAction() == null ? "" : m.getAction().name());
            out.writeBoolean(m.getComparedVersion() != null);
            if (m.getComparedVersion() != null) {
                out.writeLong(m.getComparedVersion());
            }
            out.writeLong(m.getCreatedAt().toEpochMilli());
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** The exact bytes the MAC is computed over. */
    static byte[] canonicalBytes(CheckpointHeader header, String sha256) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(FORMAT);
            string(out, header.name());
            out.writeLong(header.version());
            string(out, header.kind().name());
            string(out, Objects.requireNonNull(sha256, "sha256"));
            string(out, header.baseModelHash());
            string(out, header.tokenizerId());
            out.writeInt(header.labels().size());
            for (String label : header.labels()) {
                string(out, label);
            }
            out.writeBoolean(header.loraConfig().isPresent());
            if (header.loraConfig().isPresent()) {
                string(out, header.loraConfig().get());
            }
            out.writeBoolean(header.parentVersion().isPresent());
            if (header.parentVersion().isPresent()) {
                out.writeLong(header.parentVersion().getAsLong());
            }
            Map<String, Double> metrics = new TreeMap<>(header.metrics());
            out.writeInt(metrics.size());
            for (Map.Entry<String, Double> metric : metrics.entrySet()) {
                string(out, metric.getKey());
                out.writeLong(Double.doubleToLongBits(metric.getValue()));
            }
            out.writeInt(header.lineage().size());
            for (OffsetRange range : header.lineage()) {
                string(out, range.getTopic());
                out.writeInt(range.getPartition());
                out.writeLong(range.getFromOffset());
                out.writeLong(range.getUntilOffset());
            }
            out.writeLong(header.createdAt().toEpochMilli());
            // Added after v1 signatures existed: written only for a challenger, so every champion signed
            // before keeps verifying, while flipping a challenger to champion (or back) breaks the MAC.
            if (header.rollout() != Rollout.CHAMPION) {
                string(out, "rollout");
                string(out, header.rollout().name());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private byte[] mac(byte[] input) {
        try {
            // A Mac is not thread-safe; a fresh one per call keeps the signer shareable.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM ships " + ALGORITHM, e);
        }
    }
}
