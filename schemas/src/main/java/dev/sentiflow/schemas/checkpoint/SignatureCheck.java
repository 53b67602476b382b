package dev.sentiflow.schemas.checkpoint;

/** The outcome of {@link CheckpointSigner#verify}, each with what an operator should look at. */
public enum SignatureCheck {
    /** Signed with our key over exactly this header and payload hash. */
    VALID("signature valid"),
    /** No signature, but this reader requires one. */
    UNSIGNED("the checkpoint is unsigned but a signing key is configured; set checkpoint.signing.key on the trainer"),
    /** Not the length or layout a {@link CheckpointSigner} writes. */
    MALFORMED("the signature is not a sentiflow checkpoint signature"),
    /** Signed, but with another key than ours (the embedded key id differs). */
    WRONG_KEY("the checkpoint was signed with a different key than this reader's checkpoint.signing.key"),
    /** Our key id, but the MAC does not match: the metadata or the payload hash was altered after signing. */
    FORGED("the signature does not match the checkpoint's metadata and hash: altered after signing");

    private final String explanation;

    SignatureCheck(String explanation) {
        this.explanation = explanation;
    }

    public String explanation() {
        return explanation;
    }
}
