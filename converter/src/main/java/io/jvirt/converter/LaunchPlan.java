package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;
import java.util.Map;
import java.util.Objects;

/**
 * The result of a conversion: QEMU's command line and the environment variables it must run with
 * (added to an otherwise empty environment).
 */
public record LaunchPlan(QemuCommandLine commandLine, Map<String, String> environment) {
    public LaunchPlan {
        Objects.requireNonNull(commandLine, "commandLine");
        environment = Map.copyOf(environment);
    }

    /**
     * The argv that runs QEMU with exactly this plan's environment ({@code env -i}: nothing inherited) as
     * {@code runAs} through {@code setpriv} (no-new-privs, no groups, no capabilities), or as the caller's own
     * user when null. Each word execs the next: the process started is QEMU itself.
     */
    public java.util.List<String> processArgv(RunAs runAs) {
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("/usr/bin/env", "-i", "LC_ALL=C"));
        new java.util.TreeMap<>(environment).forEach((k, v) -> argv.add(k + "=" + v));
        if (runAs != null) {
            argv.addAll(runAs.commandPrefix());
        }
        argv.addAll(commandLine.argv());
        return argv;
    }
}
