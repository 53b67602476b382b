package dev.sentiflow.model.cli;

/** A command-line argument is missing, unknown or has a bad value; the message names the option. */
public class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
