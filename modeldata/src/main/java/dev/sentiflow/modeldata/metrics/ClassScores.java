package dev.sentiflow.modeldata.metrics;

/** Precision, recall and F1 of one class, and how many true examples of it there were. */
public record ClassScores(String label, double precision, double recall, double f1, long support) {}
