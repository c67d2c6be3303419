package io.jvirt.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.launcher.LauncherMain;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code LauncherMain --train}: a real launch of a paused guest (real QEMU) over the launcher's own
 * socket, which {@code ./jvirt up} records into the launchers' class-data archive. The archive it
 * makes must be one the next launcher maps (-Xshare:on refuses to start otherwise) and that holds
 * the launcher's own classes.
 */
class LauncherTrainingIT {
    @TempDir
    Path tmp;

    /** Training runs QEMU as KubeVirt's qemu user (107) when root: its disk below {@code tmp} must be reachable. */
    @org.junit.jupiter.api.BeforeEach
    void searchable() throws Exception {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    }

    @Test
    void trainingLaunchesAPausedGuestAndItsArchiveServesTheNextLauncher() throws Exception {
        // jars only: a class-data archive refuses directories (test-classes) on the class path
        String classPath = String.join(File.pathSeparator, Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.endsWith(".jar")).toList());
        assertTrue(classPath.contains("jvirt-launcher-"), "failsafe runs the packaged launcher jar: " + classPath);
        Path archive = tmp.resolve("launcher.jsa");

        Run first = run(classPath, List.of("-XX:ArchiveClassesAtExit=" + archive), tmp.resolve("vm1"));
        assertEquals(0, first.exit, first.output);
        assertTrue(first.output.contains("PAUSED: started paused"), "QEMU really ran: " + first.output);
        assertTrue(first.output.contains("SHUTOFF: killed by request"), first.output);
        assertTrue(Files.size(archive) > 1_000_000, "archive written");

        Run second = run(classPath, List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info"), tmp.resolve("vm2"));
        assertEquals(0, second.exit, second.output);
        for (String cls : List.of("io.jvirt.converter.Preparation", "io.jvirt.converter.VmiConverter",
                "io.jvirt.launcher.protocol.LauncherServer", "io.jvirt.launcher.domain.QemuRun", "io.jvirt.api.v1.VirtualMachineInstance")) {
            assertTrue(second.output.contains(cls + " source: shared objects file (top)"), cls + " from the archive:\n" + second.output);
        }
        assertFalse(second.output.contains("io.jvirt.converter.Preparation source: file:"), second.output);
    }

    @Test
    void aTrainingRunThatCannotLaunchFailsWithTheReason() throws Exception {
        Path notADirectory = tmp.resolve("file");
        Files.writeString(notADirectory, "x");
        Run run = run(System.getProperty("java.class.path"), List.of(), notADirectory.resolve("vm"));
        assertTrue(run.exit != 0, run.output);
        assertTrue(run.output.contains("jvirt-launcher: training run failed: ") && run.output.contains(notADirectory.toString()), run.output);
    }

    private record Run(int exit, String output) {}

    private Run run(String classPath, List<String> options, Path dir) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(LauncherMain.JVM_OPTIONS);
        command.addAll(options);
        command.addAll(List.of("-cp", classPath, LauncherMain.class.getName(), "--train", dir.toString()));
        Path log = Files.createTempFile(tmp, "training", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("training run did not end within 120 s: " + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log));
    }
}
