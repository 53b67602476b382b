package dev.sentiflow.modeldata.checkpoint;

/** A checkpoint is corrupt or does not fit the model it is applied to; the message says why. */
public class CheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param source where the checkpoint came from (file, topic offset), for the message */
    public CheckpointException(String source, String problem) {
        super("checkpoint " + source + ": " + problem);
    }

    public CheckpointException(String source, String problem, Throwable cause) {
        super("checkpoint " + source + ": " + problem, cause);
    }
}
