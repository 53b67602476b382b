package dev.sentiflow.deploy.report;

import java.util.Map;

/** How one served (model, version) scored on the live predictions that carried a true label. */
public record VersionScores(String model, long version, Scores overall, Map<String, Scores> perDomain) {

    public VersionScores {
        perDomain = Map.copyOf(perDomain);
    }
}
