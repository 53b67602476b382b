package dev.sentiflow.deploy.manifests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of a Dockerfile reader for ManifestsTest: stages with their ENV, USER, VOLUME, ENTRYPOINT and RUN. */
final class Dockerfiles {

    static final class Stage {
        final String base;
        final String name;
        final Map<String, String> env = new LinkedHashMap<>();
        final List<String> volumes = new ArrayList<>();
        final List<String> runs = new ArrayList<>();
        String user;
        List<String> entrypoint;

        Stage(String base, String name) {
            this.base = base;
            this.name = name;
        }
    }

    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    static List<Stage> stages(Path file) {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : DeployFiles.read(file).split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            instructions.add(current.toString().trim());
            current.setLength(0);
        }
        List<Stage> stages = new ArrayList<>();
        for (String instruction : instructions) {
            String[] split = instruction.split("\\s+", 2);
            String keyword = split[0].toUpperCase(java.util.Locale.ROOT);
            String rest = split.length > 1 ? split[1] : "";
            if (keyword.equals("FROM")) {
                String[] words = rest.split("\\s+");
                stages.add(new Stage(words[0], words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null));
                continue;
            }
            if (stages.isEmpty()) {
                continue; // ARG before the first FROM
            }
            Stage stage = stages.get(stages.size() - 1);
            switch (keyword) {
                case "ENV" -> {
                    for (String pair : rest.split("\\s+")) {
                        int eq = pair.indexOf('=');
                        if (eq > 0) {
                            stage.env.put(pair.substring(0, eq), pair.substring(eq + 1));
                        }
                    }
                }
                case "USER" -> stage.user = rest.trim();
                case "VOLUME" -> stage.volumes.addAll(rest.trim().startsWith("[") ? json(rest) : List.of(rest.trim().split("\\s+")));
                case "ENTRYPOINT" -> stage.entrypoint = json(rest);
                case "RUN" -> stage.runs.add(rest);
                default -> { }
            }
        }
        return stages;
    }

    private static List<String> json(String array) {
        List<String> items = new ArrayList<>();
        Matcher matcher = QUOTED.matcher(array);
        while (matcher.find()) {
            items.add(matcher.group(1));
        }
        return items;
    }
}
