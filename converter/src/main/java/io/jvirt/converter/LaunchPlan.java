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
}
