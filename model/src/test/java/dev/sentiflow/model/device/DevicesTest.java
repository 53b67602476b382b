package dev.sentiflow.model.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DevicesTest {

    @Test
    void autoFollowsTheEngineAndCpuIsAlwaysPossible() {
        Engine engine = Engine.getInstance();
        assertEquals(engine.defaultDevice(), Devices.decide(null, engine));
        assertEquals(engine.defaultDevice(), Devices.decide("auto", engine));
        assertEquals(Device.cpu(), Devices.decide("cpu", engine));
        assertEquals(engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu(), Devices.preferred());
    }

    @Test
    void gpuRequestWithoutGpuAndNonsenseAreErrors() {
        Engine engine = Engine.getInstance();
        assertThrows(IllegalStateException.class, () -> Devices.decide("gpu:" + engine.getGpuCount(), engine));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.decide("tpu", engine));
        assertEquals("SENTIFLOW_DEVICE=tpu is not one of auto, cpu, gpu, gpu:N", e.getMessage());
    }
}
