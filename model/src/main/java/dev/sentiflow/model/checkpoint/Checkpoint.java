package dev.sentiflow.model.checkpoint;

import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/** A decoded checkpoint: its metadata and its tensors by canonical name (in the decoding manager). */
public record Checkpoint(CheckpointMetadata metadata, Map<String, NDArray> tensors) {}
