package dev.sentiflow.modeldata.metrics;

/** One text's verdict: the most probable class index and every class's probability. */
public record Scored(int predicted, float[] probabilities) {

    /** The verdict of these probabilities: the first most probable class. */
    public static Scored of(float[] probabilities) {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return new Scored(best, probabilities);
    }
}
