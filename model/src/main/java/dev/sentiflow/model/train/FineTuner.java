package dev.sentiflow.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.infer.NoGradient;
import dev.sentiflow.text.progress.ProgressBar;
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
    private java.time.Duration timeBudget;

    public FineTuner(TrainingConfig config) {
        this.config = config;
    }

    public FineTuner listener(FineTuneListener value) {
        this.listener = value;
        return this;
    }

    /**
     * Stops after the epoch during which {@code value} has passed (the best epoch so far is kept, as
     * with early stopping): what bounds a run's cost when the data would take longer. Null: no bound.
     */
    public FineTuner timeBudget(java.time.Duration value) {
        this.timeBudget = value;
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
        Evaluator evaluator = new Evaluator(model, manager, labelNames);

        List<EpochResult> epochs = new ArrayList<>();
        List<Double> stepLosses = new ArrayList<>();
        NDManager bestWeights = null;
        Map<String, NDArray> bestCopy = Map.of();
        BestEpochTracker tracker = new BestEpochTracker(config.earlyStoppingPatience());
        boolean stoppedEarly = false;
        long started = System.nanoTime();

        try (OptimizationLoop loop = new OptimizationLoop(model, namedParameters, manager, config, config.totalSteps(train.size()))) {
            LOG.info("fine-tune: {} train / {} eval examples, {} epochs, {} steps ({} warm-up), peak lr {}, {} trainable weights",
                    train.size(), eval.size(), config.epochs(), loop.totalSteps(), loop.warmupSteps(),
                    config.learningRate(), loop.trainableWeights());
            listener.onStart(loop.totalSteps(), config.epochs(), train.size());
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
                int step = 0;
                for (int b = 0; b < order.size(); b++) {
                    PaddedBatch batch = trainBatches.batch(order.get(b));
                    double loss = loop.forwardBackward(batch, CrossEntropy::mean);
                    epochLossSum += loss;
                    stepLossSum += loss;
                    micro++;
                    done += batch.rows();
                    if (micro == config.gradientAccumulation() || b == order.size() - 1) {
                        OptimizationLoop.Step s = loop.step();
                        step = s.number();
                        double stepLoss = stepLossSum / micro;
                        stepLosses.add(stepLoss);
                        listener.onStep(epoch, s.number(), stepLoss, s.learningRate(), s.gradNorm());
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
                boolean improved = tracker.record(epoch, scores.loss());
                if (improved) {
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
                if (tracker.shouldStop() && epoch < config.epochs()) {
                    LOG.info("early stopping: eval loss has not improved for {} epoch(s) since epoch {}",
                            config.earlyStoppingPatience(), tracker.bestEpoch());
                    stoppedEarly = true;
                    break;
                }
                if (timeBudget != null && epoch < config.epochs() && System.nanoTime() - started > timeBudget.toNanos()) {
                    LOG.info("time budget: {} s passed after epoch {} of {}; stopping with the best epoch so far",
                            timeBudget.toSeconds(), epoch, config.epochs());
                    stoppedEarly = true;
                    break;
                }
            }
            if (tracker.bestEpoch() != epochs.size()) {
                restore(namedParameters, bestCopy);
                LOG.info("restored the trainable weights of epoch {} (eval loss {})", tracker.bestEpoch(), fmt(tracker.bestLoss()));
            }
        } finally {
            if (bestWeights != null) {
                bestWeights.close();
            }
        }
        return new FineTuneResult(epochs, stepLosses, tracker.bestEpoch(), stoppedEarly);
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
        NoGradient.run(() -> copies.forEach((name, copy) -> params.get(name).getArray().set(new NDIndex("..."), copy)));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
