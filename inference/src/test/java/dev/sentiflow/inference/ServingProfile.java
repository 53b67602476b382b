package dev.sentiflow.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentiflow.inference.models.ServingWeights;
import dev.sentiflow.inference.onnx.ServingGraph;
import dev.sentiflow.inference.onnx.SessionThreads;
import dev.sentiflow.modeldata.checkpoint.ClassifierLayout;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.modeldata.weights.FloatTensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a serving run's time goes: ONNX Runtime's own profile of the serving graph (MiniLM, one
 * adapter's inputs, the serving session options), summed per op type, in fp32 and int8 one after the
 * other, batch × tokens fixed. What to read before optimizing the graph: in both precisions the
 * projections take 70-80% of a run and attention most of the rest.
 *
 * <p>Run: {@code ./bench profile [--batch 8] [--tokens 128] [--runs 30]}. Numbers, never assertions.
 */
public final class ServingProfile {

    private ServingProfile() {}

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        int batch = option(a, "--batch", 8);
        int tokens = option(a, "--tokens", 128);
        int runs = option(a, "--runs", 30);
        BaseWeights base = BaseWeights.load(BaseWeights.MINILM);
        LoraConfig lora = LoraConfig.defaults();
        Map<String, FloatTensor> weights = ServingWeights.of(base, ClassifierLayout.of(base.config(), Optional.of(lora),
                2), 0L);
        System.out.printf(Locale.ROOT, "serving profile: MiniLM, batch %d x %d tokens, %d runs, %d cores%n", batch,
                tokens, runs, Runtime.getRuntime().availableProcessors());
        for (BertOnnxGraph.Precision precision : BertOnnxGraph.Precision.values()) {
            profile(precision, base, weights, lora, batch, tokens, runs);
        }
    }

    private static void profile(BertOnnxGraph.Precision precision, BaseWeights base, Map<String, FloatTensor> weights,
            LoraConfig lora, int batch, int tokens, int runs) throws Exception {
        BertOnnxGraph.Written graph = BertOnnxGraph.write(BertOnnxGraph.Ops.ONNX_RUNTIME, precision, base.config(),
                weights, BertOnnxGraph.ADAPTERS_AND_HEAD, lora.scale());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path dir = Files.createTempDirectory("serving-profile");
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OrtSession.SessionOptions options = ServingGraph.sessionOptions(SessionThreads.DEFAULT)) {
            options.enableProfiling(dir.resolve(precision.name().toLowerCase(Locale.ROOT)).toString());
            try (OrtSession session = env.createSession(graph.model(), options)) {
                long[] ids = new long[batch * tokens];
                long[] mask = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = 1000 + (i * 7919L) % 20000; // any ids: the cost does not depend on them
                    mask[i] = 1;
                }
                long[] dims = {batch, tokens};
                inputs.put(BertOnnxGraph.INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), dims));
                inputs.put(BertOnnxGraph.ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), dims));
                for (String name : graph.versionInputs().keySet()) {
                    FloatTensor t = weights.get(name);
                    inputs.put(name, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.data()), t.dims()));
                }
                session.run(inputs).close();
                long begin = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    session.run(inputs).close();
                }
                double seconds = (System.nanoTime() - begin) / 1e9;
                print(precision, Path.of(session.endProfiling()), runs, batch * runs / seconds);
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Kernel time per op type from ONNX Runtime's profile (the warm-up run included, as the runs' mean). */
    private static void print(BertOnnxGraph.Precision precision, Path file, int runs, double samplesPerSecond)
            throws Exception {
        Map<String, Long> micros = new TreeMap<>();
        long total = 0;
        for (JsonNode e : new ObjectMapper().readTree(file.toFile())) {
            if ("Node".equals(e.path("cat").asText()) && e.path("name").asText().endsWith("_kernel_time")) {
                micros.merge(e.path("args").path("op_name").asText(), e.path("dur").asLong(), Long::sum);
                total += e.path("dur").asLong();
            }
        }
        double perRun = total / 1000.0 / (runs + 1);
        System.out.printf(Locale.ROOT, "%n%s: %.1f samples/s, kernels %.1f ms per run%n", precision, samplesPerSecond,
                perRun);
        long sum = total;
        micros.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                .filter(e -> e.getValue() * 1000 >= sum) // ops under 0.1% say nothing
                .forEach(e -> System.out.printf(Locale.ROOT, "  %-26s %7.1f ms  %5.1f%%%n", e.getKey(),
                        e.getValue() / 1000.0 / (runs + 1), 100.0 * e.getValue() / sum));
        Files.deleteIfExists(file);
    }

    private static int option(List<String> args, String name, int fallback) {
        int at = args.indexOf(name);
        return at >= 0 ? Integer.parseInt(args.get(at + 1)) : fallback;
    }
}
