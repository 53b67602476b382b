package dev.sentiflow.model.train;

/**
 * What one epoch did.
 *
 * @param epoch 1-based epoch number
 * @param trainLoss mean training loss over the epoch's batches
 * @param eval evaluation after the epoch
 * @param trainSamplesPerSecond training throughput (forward, backward and optimizer)
 * @param lastStep number of optimizer steps completed at the end of the epoch
 */
public record EpochResult(int epoch, double trainLoss, EvalResult eval, double trainSamplesPerSecond, int lastStep) {}
