package dev.sentiflow.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.report.ProgressBar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fine-tuning loop of the reference notebooks, on any classifier block that maps
 * {@code NDList(inputIds, attentionMask)} to {@code NDList(logits [B,C])}.
 *
 * <p>Per epoch: batches in a seeded shuffled order; forward under a gradient collector, mean
 * cross-entropy, backward; every {@code gradientAccumulation} batches one optimizer step:
 * global-norm clipping, AdamW at the scheduled learning rate, gradients zeroed. After each epoch
 * the eval set is scored; the trainable weights of the epoch with the lowest eval loss are
 * copied and put back at the end (or when early stopping ends the run). Exactly the parameters
 * that require a gradient are trained, so a LoRA model changes only its adapters and head.
 */
public final class FineTuner {

    private static final Logger LOG = LoggerFactory.getLogger(FineTuner.class);

    private final TrainingConfig config;
    private FineTuneListener listener = new FineTuneListener() {};
    private boolean progressBar = true;

    public FineTuner(TrainingConfig config) {
        this.config = config;
    }

    public FineTuner listener(FineTuneListener value) {
        this.listener = value;
        return this;
    }

    /** Whether to draw a console progress bar per epoch (on by default). */
    public FineTuner progressBar(boolean value) {
        this.progressBar = value;
        return this;
    }

    /**
     * Trains {@code model} in place.
     *
     * @param model the classifier block, initialised
     * @param namedParameters its parameters by name; those requiring a gradient are trained
     * @param manager the manager owning the model (per-batch scopes are opened under it)
     * @param train training examples (token ids, class index)
     * @param eval evaluation examples
     * @param labelNames class names, index = class
     * @param padId the tokenizer's padding id
     */
    public FineTuneResult run(
            Block model,
            Map<String, Parameter> namedParameters,
            NDManager manager,
            List<EncodedExample> train,
            List<EncodedExample> eval,
            List<String> labelNames,
            int padId) {
        Engine.getInstance().setRandomSeed((int) config.seed());
        Batcher trainBatches = new Batcher(train, config.batchSize(), padId);
        Batcher evalBatches = new Batcher(eval, config.batchSize(), padId);
        int totalSteps = config.totalSteps(train.size());
        LinearWarmupSchedule schedule =
                new LinearWarmupSchedule(config.learningRate(), config.warmupSteps(train.size()), totalSteps);
        Evaluator evaluator = new Evaluator(model, manager, labelNames);
        ParameterStore ps = new ParameterStore(manager, false);
        Engine engine = Engine.getInstance();

        List<EpochResult> epochs = new ArrayList<>();
        List<Double> stepLosses = new ArrayList<>();
        NDManager bestWeights = null;
        Map<String, NDArray> bestCopy = Map.of();
        int bestEpoch = 0;
        double bestLoss = Double.POSITIVE_INFINITY;
        boolean stoppedEarly = false;
        int step = 0;

        try (AdamW optimizer = new AdamW(manager, namedParameters, config.weightDecay())) {
            LOG.info("fine-tune: {} train / {} eval examples, {} epochs, {} steps ({} warm-up), peak lr {}, {} trainable weights",
                    train.size(), eval.size(), config.epochs(), totalSteps, schedule.warmupSteps(),
                    config.learningRate(), optimizer.trainableWeights());
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                List<int[]> order = trainBatches.shuffledEpoch(config.seed(), epoch - 1);
                ProgressBar bar = progressBar
                        ? ProgressBar.console(String.format(Locale.ROOT, "epoch %d/%d", epoch, config.epochs()), train.size())
                        : null;
                long epochStart = System.nanoTime();
                double epochLossSum = 0;
                int micro = 0;
                double stepLossSum = 0;
                long done = 0;
                for (int b = 0; b < order.size(); b++) {
                    PaddedBatch batch = trainBatches.batch(order.get(b));
                    double loss = forwardBackward(model, ps, manager, engine, batch);
                    epochLossSum += loss;
                    stepLossSum += loss;
                    micro++;
                    done += batch.rows();
                    boolean lastOfEpoch = b == order.size() - 1;
                    if (micro == config.gradientAccumulation() || lastOfEpoch) {
                        double lr = schedule.learningRate(step);
                        double norm = optimizerStep(optimizer, manager, lr);
                        step++;
                        double stepLoss = stepLossSum / micro;
                        stepLosses.add(stepLoss);
                        listener.onStep(epoch, step, stepLoss, lr, norm);
                        micro = 0;
                        stepLossSum = 0;
                    }
                    if (bar != null) {
                        bar.update(done, String.format(Locale.ROOT, "loss %.4f (mean %.4f)", loss, epochLossSum / (b + 1)));
                    }
                }
                double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
                EvalResult scores = evaluator.evaluate(evalBatches);
                EpochResult result = new EpochResult(
                        epoch, epochLossSum / order.size(), scores, train.size() / trainSeconds, step);
                epochs.add(result);
                boolean improved = scores.loss() < bestLoss;
                if (improved) {
                    bestLoss = scores.loss();
                    bestEpoch = epoch;
                    if (bestWeights != null) {
                        bestWeights.close();
                    }
                    bestWeights = manager.newSubManager();
                    bestCopy = copyTrainable(namedParameters, bestWeights);
                }
                LOG.info("epoch {}: train loss {}, eval loss {}, accuracy {}, macro-F1 {}, {} train samples/s, {} eval samples/s{}",
                        epoch, fmt(result.trainLoss()), fmt(scores.loss()), fmt(scores.accuracy()), fmt(scores.macroF1()),
                        String.format(Locale.ROOT, "%.1f", result.trainSamplesPerSecond()),
                        String.format(Locale.ROOT, "%.1f", scores.samplesPerSecond()), improved ? " (best so far)" : "");
                listener.onEpoch(result, improved);
                int patience = config.earlyStoppingPatience();
                if (patience > 0 && epoch - bestEpoch >= patience && epoch < config.epochs()) {
                    LOG.info("early stopping: eval loss has not improved for {} epoch(s) since epoch {}", patience, bestEpoch);
                    stoppedEarly = true;
                    break;
                }
            }
            if (bestEpoch != epochs.size()) {
                restore(namedParameters, bestCopy);
                LOG.info("restored the trainable weights of epoch {} (eval loss {})", bestEpoch, fmt(bestLoss));
            }
        } finally {
            if (bestWeights != null) {
                bestWeights.close();
            }
        }
        return new FineTuneResult(epochs, stepLosses, bestEpoch, stoppedEarly);
    }

    private double forwardBackward(Block model, ParameterStore ps, NDManager manager, Engine engine, PaddedBatch batch) {
        try (NDManager scope = manager.newSubManager()) {
            NDList inputs = batch.inputs(scope);
            NDArray labels = batch.labels(scope);
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray logits = model.forward(ps, inputs, true).singletonOrThrow();
                NDArray loss = CrossEntropy.mean(logits, labels);
                NDArray scaled = config.gradientAccumulation() == 1 ? loss : loss.div(config.gradientAccumulation());
                collector.backward(scaled);
                return loss.getFloat();
            }
        }
    }

    private double optimizerStep(AdamW optimizer, NDManager manager, double lr) {
        try (NDManager scratch = manager.newSubManager()) {
            List<NDArray> grads = optimizer.gradients(scratch);
            double norm = config.maxGradNorm() > 0
                    ? GlobalNormClipper.clip(grads, config.maxGradNorm())
                    : GlobalNormClipper.norm(grads);
            optimizer.step(lr, grads, scratch);
            return norm;
        }
    }

    private static Map<String, NDArray> copyTrainable(Map<String, Parameter> params, NDManager into) {
        Map<String, NDArray> copies = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            if (p.requiresGradient()) {
                NDArray copy = p.getArray().duplicate();
                copy.attach(into);
                copies.put(name, copy);
            }
        });
        return copies;
    }

    private static void restore(Map<String, Parameter> params, Map<String, NDArray> copies) {
        // In place, outside any gradient collector: the parameter arrays keep their identity.
        copies.forEach((name, copy) -> params.get(name).getArray().set(new NDIndex("..."), copy));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
