package io.jvirt.qemu.qmp;

import java.util.List;

/** The banner QEMU sends on connect: its version and the QMP capabilities it offers. */
public record QmpGreeting(QemuVersion version, List<String> capabilities) {
    public QmpGreeting {
        capabilities = List.copyOf(capabilities);
    }
}
