package dev.sentiflow.modeldata.weights;

/** A weights, config or checkpoint file is unreadable, corrupt, or does not fit the model. */
public class WeightFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param source the file or resource name, so the user knows which file is wrong */
    public WeightFileException(String source, String problem) {
        super(source + ": " + problem);
    }

    public WeightFileException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
    }
}
