package dev.sentiflow.model.infer;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.util.function.Supplier;

/**
 * Runs a forward (or an in-place write into parameters) with libtorch's gradient recording off on
 * the calling thread. libtorch keeps the
 * grad mode per thread and starts every new thread with it on; DJL turns it off only on the thread
 * that loaded the engine (and after each gradient collector). A forward on a Kafka Streams thread
 * or a pool thread would otherwise keep an autograd graph for every parameter that requires a
 * gradient (LoRA A/B and the head) alive with its outputs.
 */
public final class NoGradient {

    private NoGradient() {}

    public static void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    public static <T> T call(Supplier<T> forward) {
        Engine.getInstance(); // JniUtils needs the native library loaded
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return forward.get();
        } finally {
            JniUtils.setGradMode(before);
        }
    }
}
