package io.jvirt.qemu.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.qemu.Accel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The probe with the real qemu-system-x86_64 and this machine's /dev/kvm. */
class AccelProbeIT {

    /** The probe guest itself is sound: under TCG it finishes well inside the deadline. */
    @Test
    void probeGuestRunsUnderTcg() {
        AccelProbe.ProbeRun run = new AccelProbe().runGuest(Accel.TCG);
        assertTrue(run.passed(), run.detail());
        assertTrue(run.took().compareTo(AccelProbe.DEFAULT_DEADLINE) < 0, run.toString());
    }

    /**
     * The cached decision is consistent with this host: where /dev/kvm is kvm_pvm (stock guests
     * crawl; the module may be loaded without a /dev/kvm node), KVM is rejected within the deadline plus QEMU's teardown; the second call is cached.
     */
    @Test
    void decisionMatchesTheHostAndIsCached() {
        long start = System.nanoTime();
        AccelDecision first = AccelProbe.decide();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(AccelProbe.DEFAULT_DEADLINE.plusSeconds(2)) < 0, "probe took " + took);
        if (Files.exists(AccelProbe.DEV_KVM) && Files.isDirectory(Path.of("/sys/module/kvm_pvm"))) {
            assertEquals(Accel.TCG, first.accel(), first.reason());
            assertTrue(first.reason().contains("did not run under KVM"), first.reason());
        }
        if (!Files.exists(AccelProbe.DEV_KVM)) {
            assertEquals(Accel.TCG, first.accel(), first.reason());
        }
        long again = System.nanoTime();
        assertSame(first, AccelProbe.decide());
        assertTrue(System.nanoTime() - again < Duration.ofMillis(50).toNanos(), "cached");
    }
}
