package dev.sentiflow.schemas.ops;

/** One health question a service answers (is it alive, is it ready), asked on every probe request. */
@FunctionalInterface
public interface Probe {

    /** The answer, and one line saying why. */
    record Result(boolean ok, String reason) {
        public static Result up(String reason) {
            return new Result(true, reason);
        }

        public static Result down(String reason) {
            return new Result(false, reason);
        }
    }

    Result check();

    /** Up only when every probe is; the reason of the first that is not, or all reasons joined. */
    static Probe all(Probe... probes) {
        return () -> {
            StringBuilder reasons = new StringBuilder();
            for (Probe p : probes) {
                Result r = p.check();
                if (!r.ok()) {
                    return r;
                }
                reasons.append(reasons.isEmpty() ? "" : "; ").append(r.reason());
            }
            return Result.up(reasons.toString());
        };
    }
}
