package dev.sentiflow.inference.onnx;

/**
 * How a serving session uses threads: {@code intraOp} threads per run (0: ONNX Runtime's default, one per
 * physical core), and whether they spin while waiting for the next piece of work. Spinning is ONNX
 * Runtime's default and shortens the gap between runs of a process that does nothing else; a serving
 * process also runs Kafka clients (and shares few cores with other services), and spinning takes the CPU
 * they need, so serving turns it off unless asked.
 */
public record SessionThreads(int intraOp, boolean spinWait) {

    /** ONNX Runtime's thread count, no spinning. */
    public static final SessionThreads DEFAULT = new SessionThreads(0, false);

    public SessionThreads {
        if (intraOp < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0, got " + intraOp);
        }
    }

    /** For the log line of an opened session. */
    public String describe() {
        return (intraOp == 0 ? "default" : String.valueOf(intraOp)) + " intra-op thread(s), "
                + (spinWait ? "spinning" : "not spinning") + " between runs";
    }
}
