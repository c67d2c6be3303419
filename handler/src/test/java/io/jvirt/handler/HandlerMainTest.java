package io.jvirt.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import io.jvirt.registry.RegistryConfig;
import org.junit.jupiter.api.Test;

class HandlerMainTest {
    @Test
    void readsEverySetting() throws Exception {
        Properties p = new Properties();
        p.load(new StringReader("""
                nodeName=n1
                dataDir=/var/lib/jvirt/node
                memoryReserveMiB=512
                maxPods=20
                heartbeatSeconds=3
                buildDir=/work/build
                useEmulation=true
                qemuUser=1000:1000
                dualStackPodNetwork=true
                mirror.quay.io/containerdisks/fedora=/mirrors/fedora
                registryMirror.registry\\:5000=127.0.0.1\\:5000
                registryMirror.quay.io/kubevirt=localhost\\:6000/kv
                insecureRegistries=mirror.lan\\:5000, other.lan
                """));
        HandlerConfig c = HandlerMain.config(p);
        assertEquals("n1", c.nodeName());
        assertEquals(Path.of("/var/lib/jvirt/node"), c.dataDir());
        assertEquals(512L << 20, c.memoryReserveBytes());
        assertEquals(20, c.maxPods());
        assertEquals(Duration.ofSeconds(3), c.heartbeat());
        assertEquals(Path.of("/work/build"), c.buildDir());
        assertEquals(true, c.forceEmulation());
        assertEquals("1000:1000", c.qemuUser());
        assertEquals(true, c.dualStackPodNetwork());
        assertEquals(Map.of("quay.io/containerdisks/fedora", Path.of("/mirrors/fedora")), c.imageMirrors());
        assertEquals(new RegistryConfig(Map.of("registry:5000", "127.0.0.1:5000", "quay.io/kubevirt", "localhost:6000/kv"),
                Set.of("mirror.lan:5000", "other.lan")), c.registries());
    }

    @Test
    void defaults() throws Exception {
        HandlerConfig c = HandlerMain.config(new Properties());
        assertEquals(256L << 20, c.memoryReserveBytes());
        assertEquals(110, c.maxPods());
        assertEquals(false, c.forceEmulation());
        assertEquals("107:107", c.qemuUser(), "KubeVirt's qemu user");
        assertEquals(false, c.dualStackPodNetwork(), "IPv4 only");
        assertEquals(RegistryConfig.DEFAULT, c.registries());
    }
}
