package io.jvirt.handler;

import io.jvirt.handler.pod.HostScope;
import io.jvirt.handler.pod.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The QEMU processes the node agent runs, found on the host (/proc and the pods' cgroups), for the tests. */
public final class Qemus {
    private Qemus() {
    }

    /** Pids of the live QEMU processes in pod {@code podUid}'s memory cgroup, sorted. */
    public static List<Long> inPod(HostScope scope, String podUid) throws IOException {
        return scope.cgroup(podUid).pids().stream().filter(Qemus::isQemu).filter(pid -> ProcStat.startTicks(pid).isPresent())
                .sorted().toList();
    }

    /** True when process {@code pid} is a QEMU system emulator. */
    public static boolean isQemu(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).startsWith("qemu-system");
        } catch (IOException gone) {
            return false;
        }
    }
}
