package io.jvirt.converter;

import io.jvirt.api.meta.Quantity;
import io.jvirt.api.v1.DomainSpec;
import io.jvirt.api.v1.Memory;
import io.jvirt.api.v1.ResourceRequirements;
import io.jvirt.qemu.QemuCommandLine;
import java.util.Optional;

/**
 * {@code -m}: {@code memory.guest}, else {@code resources.requests.memory}, else
 * {@code resources.limits.memory}, rounded up to whole MiB.
 */
final class MemoryConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        qemu.memoryMiB(guestMiB(context.domain()));
    }

    static long guestMiB(DomainSpec domain) {
        Optional<ResourceRequirements> resources = Optional.ofNullable(domain.resources());
        Quantity memory = Optional.ofNullable(domain.memory()).map(Memory::guest)
                .or(() -> resources.map(ResourceRequirements::requests).map(m -> m.get("memory")))
                .or(() -> resources.map(ResourceRequirements::limits).map(m -> m.get("memory")))
                .orElseThrow(() -> new ConversionException(
                        "spec.domain.memory.guest: required when resources.requests.memory and resources.limits.memory are unset"));
        long mib = memory.toMebibytesCeiling();
        if (mib < 1) {
            throw new ConversionException("spec.domain.memory.guest: must be at least 1Mi, got " + memory);
        }
        return mib;
    }
}
