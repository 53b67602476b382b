package dev.sentiflow.schemas.failure;

/** The one line a command or service prints when it stops on a failure: the message and its causes'. */
public final class FailureMessage {

    private FailureMessage() {
    }

    /** The message and every cause's message not already in it, joined with ": ". */
    public static String of(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage() == null ? e : e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }
}
