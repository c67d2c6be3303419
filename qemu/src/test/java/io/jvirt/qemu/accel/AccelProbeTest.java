package io.jvirt.qemu.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.qemu.Accel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AccelProbeTest {
    @TempDir
    static Path dir;

    static Stream<Arguments> failures() throws Exception {
        return Stream.of(
                Arguments.of("no device node", (Function<Path, AccelProbe>) d ->
                        new AccelProbe(Path.of("/bin/true"), d.resolve("absent-kvm"), Duration.ofSeconds(1)), "absent-kvm does not exist"),
                Arguments.of("qemu binary missing", (Function<Path, AccelProbe>) d ->
                        new AccelProbe(d.resolve("no-qemu"), existing(d), Duration.ofSeconds(1)), "a test guest did not run under KVM: cannot run"),
                Arguments.of("qemu exits with the wrong code", (Function<Path, AccelProbe>) d ->
                        new AccelProbe(Path.of("/bin/false"), existing(d), Duration.ofSeconds(1)), "a test guest did not run under KVM: QEMU exited 1"),
                Arguments.of("qemu hangs past the deadline", (Function<Path, AccelProbe>) d ->
                        new AccelProbe(script(d, "exec sleep 30"), existing(d), Duration.ofMillis(300)), "no result within 300 ms (killed)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void anyFailureMeansTcgWithTheReason(String name, Function<Path, AccelProbe> probe, String reasonPart) {
        long start = System.nanoTime();
        AccelDecision decision = probe.apply(dir).probe();
        assertEquals(Accel.TCG, decision.accel());
        assertTrue(decision.softwareEmulation());
        assertTrue(decision.reason().contains(reasonPart), decision.reason());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), "bounded wait");
    }

    @Test
    void probeGuestExitsWithTheAdvertisedCode() {
        byte[] rom = ProbeGuest.firmware();
        assertEquals(64 * 1024, rom.length);
        // jmp near at the reset vector must land on the code block at 0xff00.
        assertEquals((byte) 0xe9, rom[0xfff0]);
        int rel = (short) ((rom[0xfff1] & 0xff) | (rom[0xfff2] << 8));
        assertEquals(0xff00, 0xfff3 + rel);
        assertEquals(85, ProbeGuest.EXPECTED_EXIT_CODE);
    }

    private static Path existing(Path d) {
        try {
            Path kvm = d.resolve("fake-kvm-node");
            if (!Files.exists(kvm)) {
                Files.createFile(kvm);
            }
            return kvm;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path script(Path d, String body) {
        try {
            Path s = d.resolve("hanging-qemu.sh");
            Files.writeString(s, "#!/bin/sh\n" + body + "\n");
            s.toFile().setExecutable(true);
            return s;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
