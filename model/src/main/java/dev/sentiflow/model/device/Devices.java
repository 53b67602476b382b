package dev.sentiflow.model.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides where models run: the GPU when DJL's engine sees one, else the CPU.
 * {@code SENTIFLOW_DEVICE=cpu} (or {@code -Dsentiflow.device=cpu}) forces the CPU, e.g. to keep a
 * GPU free for another service; {@code gpu} or {@code gpu:N} asks for a GPU and fails if there is none.
 */
public final class Devices {

    public static final String ENV = "SENTIFLOW_DEVICE";
    public static final String PROPERTY = "sentiflow.device";

    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);
    private static volatile Device chosen;

    private Devices() {}

    /** The device for models and their per-batch arrays (decided once per JVM, logged once). */
    public static Device preferred() {
        Device d = chosen;
        if (d == null) {
            synchronized (Devices.class) {
                if (chosen == null) {
                    chosen = decide(System.getProperty(PROPERTY, System.getenv(ENV)), Engine.getInstance());
                    LOG.info("models run on {}", chosen);
                }
                d = chosen;
            }
        }
        return d;
    }

    static Device decide(String request, Engine engine) {
        if (request == null || request.isBlank() || request.equals("auto")) {
            return engine.defaultDevice();
        }
        if (request.equals("cpu")) {
            return Device.cpu();
        }
        if (request.startsWith("gpu")) {
            int id = request.contains(":") ? Integer.parseInt(request.substring(request.indexOf(':') + 1)) : 0;
            if (engine.getGpuCount() <= id) {
                throw new IllegalStateException(ENV + "=" + request + " but the engine sees "
                        + engine.getGpuCount() + " GPU(s); build with -Dcuda on a CUDA machine or use cpu");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException(ENV + "=" + request + " is not one of auto, cpu, gpu, gpu:N");
    }
}
