package dev.sentiflow.text.data;

/**
 * One training or evaluation example.
 *
 * @param id stable record id (decides the train/eval split)
 * @param text the text to classify
 * @param label class index in the task's {@link LabelSet}
 */
public record LabeledText(String id, String text, int label) {}
