package io.jvirt.converter;

import io.jvirt.api.v1.Features;
import io.jvirt.api.v1.FeatureState;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.util.Optional;

/**
 * {@code spec.domain.features} acpi and smm as machine properties (QEMU merges this second
 * {@code -machine}). ACPI is on unless {@code acpi.enabled: false} (it is how graceful shutdown
 * reaches the guest); SMM is on when asked for or when Secure Boot needs it. The apic feature is a
 * CPU flag and lives in {@link CpuConfigurator}.
 */
final class FeaturesConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        Optional<Features> features = context.features();
        boolean acpi = features.map(Features::acpi).map(FeaturesConfigurator::isOn).orElse(true);
        boolean smm = features.map(Features::smm).map(FeaturesConfigurator::isOn).orElse(false)
                || FirmwareConfigurator.secureBoot(context);
        qemu.option("-machine", QemuOpts.empty().with("acpi", acpi).with("smm", smm));
    }

    /** A present feature is on unless it says {@code enabled: false}. */
    static boolean isOn(FeatureState state) {
        return state.enabled() == null || state.enabled();
    }
}
