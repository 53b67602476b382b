package dev.sentiflow.inference.models;


/**
 * One batch's hold on a served version: while it is open the version's arrays stay allocated, even
 * if a newer version replaced it meanwhile. Close it when the batch is scored.
 */
public final class Lease implements AutoCloseable {

    private final ServedVersion version;
    private boolean closed;

    Lease(ServedVersion version) {
        this.version = version;
    }

    public ServedVersion version() {
        return version;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            version.release();
        }
    }
}
