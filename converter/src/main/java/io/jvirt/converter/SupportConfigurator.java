package io.jvirt.converter;

import io.jvirt.api.v1.Devices;
import io.jvirt.qemu.QemuCommandLine;
import java.util.List;
import java.util.Map;

/**
 * Adds nothing; refuses devices a single jvirt node cannot provide (TPM, GPUs, host devices,
 * virtiofs, sound, panic devices, …) instead of silently starting a guest without them. Runs first.
 */
final class SupportConfigurator implements Configurator {
    private static final List<String> UNSUPPORTED_DEVICES = List.of(
            "tpm", "gpus", "hostDevices", "filesystems", "sound", "panicDevices", "downwardMetrics",
            "clientPassthrough", "video");

    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        Map<String, Object> unknown = context.devices().map(Devices::unknown).orElse(Map.of());
        for (String device : UNSUPPORTED_DEVICES) {
            if (unknown.containsKey(device)) {
                throw new ConversionException("spec.domain.devices." + device + ": not supported by jvirt's launcher");
            }
        }
    }
}
