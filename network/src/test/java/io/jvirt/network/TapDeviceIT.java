package io.jvirt.network;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tap opened through the FFM calls (setns + TUNSETIFF) exists in the pod's namespace, not the host's, while its
 * descriptor is open, and goes when it is closed.
 */
class TapDeviceIT {
    private final TestNamespaces namespaces = new TestNamespaces();

    @AfterEach
    void cleanUp() throws IOException {
        namespaces.close();
    }

    @Test
    void theTapLivesInTheNamespaceAsLongAsItsDescriptor() throws Exception {
        NetworkNamespace ns = namespaces.create();
        String name = "tap" + TestNamespaces.randomHex(2);
        TapDevice tap = TapDevice.open(ns, name);
        assertTrue(tap.fd() > 2);
        assertTrue(Files.exists(Path.of("/proc/self/fd/" + tap.fd())), "the descriptor is open in this process");
        String link = ns.run("ip", "-d", "link", "show", "dev", name);
        assertTrue(link.contains("tun type tap") && link.contains("vnet_hdr on"), link);
        assertFalse(Files.exists(Path.of("/sys/class/net", name)), "not in the host's namespace");
        assertThrows(IOException.class, () -> TapDevice.open(ns, name), "a second open of a tap that is in use fails");

        tap.close();
        tap.close();
        TestNamespaces.await("the tap to go with its descriptor", Duration.ofSeconds(5), () -> {
            try {
                return !ns.run("ip", "link").contains(name);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
