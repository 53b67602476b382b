package dev.sentiflow.model.cli;

import dev.sentiflow.model.train.TrainingConfig;
import dev.sentiflow.model.train.TrainingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The options of {@link FineTuneCommand}, parsed and checked. Every error names the option and
 * the bad value; the usage text is generated from the same table as the parser, so they agree.
 */
public record FineTuneOptions(
        Path train,
        Optional<Path> eval,
        OptionalDouble evalFraction,
        String textColumn,
        String labelColumn,
        String idColumn,
        Optional<List<String>> labels,
        String base,
        OptionalLong limit,
        Path out,
        TrainingConfig training,
        int mlmEpochs) {

    private record Option(String name, String argument, String help) {}

    private static final List<Option> OPTIONS = List.of(
            new Option("--train", "FILE", "training data, CSV (header row) or JSONL (required)"),
            new Option("--eval", "FILE", "evaluation data; or use --eval-fraction"),
            new Option("--eval-fraction", "F", "hold out this fraction of --train by a stable hash of the record id (e.g. 0.2)"),
            new Option("--text-column", "NAME", "column with the text (default text)"),
            new Option("--label-column", "NAME", "column with the label (default label)"),
            new Option("--id-column", "NAME", "column with the record id for the split (default id; the text when absent)"),
            new Option("--labels", "A,B,...", "label values in class order (default: sorted values found in --train)"),
            new Option("--mode", "lora|full", "train LoRA adapters + head, or every weight (default lora)"),
            new Option("--base", "minilm|bert-base|DIR", "pretrained base (default minilm)"),
            new Option("--epochs", "N", "epochs (default 3)"),
            new Option("--lr", "X", "peak learning rate (default 5e-4 lora, 2e-5 full)"),
            new Option("--batch-size", "N", "examples per batch (default 16)"),
            new Option("--max-length", "N", "tokens per text incl. [CLS]/[SEP] (default 128)"),
            new Option("--weight-decay", "X", "AdamW weight decay (default 0.01)"),
            new Option("--warmup-ratio", "X", "share of steps for linear warm-up (default 0.1)"),
            new Option("--grad-accum", "N", "batches per optimizer step (default 1)"),
            new Option("--patience", "N", "early stopping after N epochs without eval-loss improvement (default 0 = off)"),
            new Option("--mlm-epochs", "N", "domain adaptation first: N epochs of masked-language modelling on the training texts (default 0 = off)"),
            new Option("--limit", "N", "use only the first N rows of each file (quick demos)"),
            new Option("--seed", "N", "random seed (default 42)"),
            new Option("--out", "DIR", "output directory for loss-curve.svg, metrics.json, checkpoint (default runs/fine-tune)"));

    public static String usage() {
        StringBuilder text = new StringBuilder("usage: fine-tune --train FILE (--eval FILE | --eval-fraction F) [options]\n\n");
        for (Option o : OPTIONS) {
            text.append(String.format("  %-34s %s%n", o.name() + " " + o.argument(), o.help()));
        }
        return text.toString();
    }

    public static FineTuneOptions parse(String... args) throws UsageException {
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            String known = name;
            if (OPTIONS.stream().noneMatch(o -> o.name().equals(known))) {
                throw new UsageException("unknown option '" + arg + "'");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("option " + name + " needs a value");
                }
                value = args[++i];
            }
            if (values.put(name, value) != null) {
                throw new UsageException("option " + name + " is given twice");
            }
        }
        if (!values.containsKey("--train")) {
            throw new UsageException("option --train is required");
        }
        Path train = existingFile("--train", values.get("--train"));
        Optional<Path> eval = values.containsKey("--eval") ? Optional.of(existingFile("--eval", values.get("--eval"))) : Optional.empty();
        OptionalDouble fraction = OptionalDouble.empty();
        if (values.containsKey("--eval-fraction")) {
            double f = number("--eval-fraction", values.get("--eval-fraction"));
            if (!(f > 0 && f < 1)) {
                throw new UsageException("option --eval-fraction must be between 0 and 1, got " + values.get("--eval-fraction"));
            }
            fraction = OptionalDouble.of(f);
        }
        if (eval.isPresent() == fraction.isPresent()) {
            throw new UsageException("give exactly one of --eval FILE and --eval-fraction F");
        }
        TrainingMode mode;
        try {
            mode = TrainingMode.parse(values.getOrDefault("--mode", "lora"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("option --mode: " + e.getMessage());
        }
        TrainingConfig config = TrainingConfig.defaults(mode);
        try {
            if (values.containsKey("--lr")) {
                config = config.withLearningRate(number("--lr", values.get("--lr")));
            }
            if (values.containsKey("--epochs")) {
                config = config.withEpochs(integer("--epochs", values.get("--epochs")));
            }
            if (values.containsKey("--batch-size")) {
                config = config.withBatchSize(integer("--batch-size", values.get("--batch-size")));
            }
            if (values.containsKey("--max-length")) {
                config = config.withMaxLength(integer("--max-length", values.get("--max-length")));
            }
            if (values.containsKey("--weight-decay")) {
                config = config.withWeightDecay(number("--weight-decay", values.get("--weight-decay")));
            }
            if (values.containsKey("--warmup-ratio")) {
                config = config.withWarmupRatio(number("--warmup-ratio", values.get("--warmup-ratio")));
            }
            if (values.containsKey("--grad-accum")) {
                config = config.withGradientAccumulation(integer("--grad-accum", values.get("--grad-accum")));
            }
            if (values.containsKey("--patience")) {
                config = config.withEarlyStoppingPatience(integer("--patience", values.get("--patience")));
            }
            if (values.containsKey("--seed")) {
                config = config.withSeed(integer("--seed", values.get("--seed")));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        OptionalLong limit = OptionalLong.empty();
        if (values.containsKey("--limit")) {
            long n = integer("--limit", values.get("--limit"));
            if (n < 1) {
                throw new UsageException("option --limit must be at least 1, got " + n);
            }
            limit = OptionalLong.of(n);
        }
        int mlmEpochs = values.containsKey("--mlm-epochs") ? integer("--mlm-epochs", values.get("--mlm-epochs")) : 0;
        if (mlmEpochs < 0) {
            throw new UsageException("option --mlm-epochs must be 0 or more, got " + mlmEpochs);
        }
        Optional<List<String>> labels = Optional.empty();
        if (values.containsKey("--labels")) {
            List<String> list = new ArrayList<>(Arrays.stream(values.get("--labels").split(",")).map(String::strip).toList());
            if (list.size() < 2 || list.stream().anyMatch(String::isEmpty)) {
                throw new UsageException("option --labels needs at least two non-empty comma-separated values, got '" + values.get("--labels") + "'");
            }
            labels = Optional.of(list);
        }
        return new FineTuneOptions(
                train,
                eval,
                fraction,
                values.getOrDefault("--text-column", "text"),
                values.getOrDefault("--label-column", "label"),
                values.getOrDefault("--id-column", "id"),
                labels,
                values.getOrDefault("--base", "minilm"),
                limit,
                Path.of(values.getOrDefault("--out", "runs/fine-tune")),
                config,
                mlmEpochs);
    }

    private static Path existingFile(String option, String value) throws UsageException {
        Path p = Path.of(value);
        if (!Files.isRegularFile(p)) {
            throw new UsageException("option " + option + ": no such file '" + value + "'");
        }
        return p;
    }

    private static double number(String option, String value) throws UsageException {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException("option " + option + " needs a number, got '" + value + "'");
        }
    }

    private static int integer(String option, String value) throws UsageException {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException("option " + option + " needs a whole number, got '" + value + "'");
        }
    }
}
