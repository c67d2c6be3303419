package io.jvirt.converter;

import io.jvirt.api.meta.Quantity;
import io.jvirt.api.v1.Cpu;
import io.jvirt.api.v1.DomainSpec;
import io.jvirt.api.v1.FeatureApic;
import io.jvirt.api.v1.Features;
import io.jvirt.api.v1.ResourceRequirements;
import io.jvirt.qemu.Accel;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.Smp;
import java.util.ArrayList;
import java.util.List;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code -cpu} and {@code -smp} from {@code spec.domain.cpu}.
 *
 * <p>Model: {@code host-passthrough} and {@code host-model} (the default) become {@code host} under
 * KVM and {@code max} under TCG, where no host CPU exists; a named model is passed on. Topology:
 * unset counts are 1; with no count set at all, the vCPUs come from {@code resources.limits.cpu}
 * (else {@code requests.cpu}) rounded up, as sockets. {@code features.apic.enabled: false} clears
 * the apic CPU flag.
 */
final class CpuConfigurator implements Configurator {
    static final String HOST_MODEL = "host-model";
    static final String HOST_PASSTHROUGH = "host-passthrough";
    private static final Pattern NAMED_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final int MAX_VCPUS = 288;

    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        List<String> flags = new ArrayList<>();
        boolean apicOff = context.features().map(Features::apic).map(FeatureApic::enabled)
                .map(enabled -> !enabled).orElse(false);
        if (apicOff) {
            flags.add("-apic");
        }
        qemu.cpu(model(context), flags.toArray(String[]::new));
        qemu.smp(topology(context.domain()));
    }

    static String model(ConversionContext context) {
        String model = Optional.ofNullable(context.domain().cpu()).map(Cpu::model)
                .filter(m -> !m.isEmpty()).orElse(HOST_MODEL);
        boolean kvm = context.handover().accel() == Accel.KVM;
        if (model.equals(HOST_MODEL) || model.equals(HOST_PASSTHROUGH)) {
            return kvm ? "host" : "max";
        }
        if (!NAMED_MODEL.matcher(model).matches()) {
            throw new ConversionException("spec.domain.cpu.model: not a CPU model name: '" + model + "'");
        }
        return model;
    }

    static Smp topology(DomainSpec domain) {
        Cpu cpu = domain.cpu();
        Long sockets = cpu == null ? null : cpu.sockets();
        Long cores = cpu == null ? null : cpu.cores();
        Long threads = cpu == null ? null : cpu.threads();
        if (sockets == null && cores == null && threads == null) {
            return Smp.topology(vcpusFromResources(domain.resources()), 1, 1);
        }
        int s = count("sockets", sockets);
        int c = count("cores", cores);
        int t = count("threads", threads);
        if ((long) s * c * t > MAX_VCPUS) {
            throw new ConversionException("spec.domain.cpu: sockets x cores x threads = " + ((long) s * c * t)
                    + " exceeds " + MAX_VCPUS);
        }
        return Smp.topology(s, c, t);
    }

    private static int count(String field, Long value) {
        if (value == null) {
            return 1;
        }
        if (value < 1 || value > MAX_VCPUS) {
            throw new ConversionException("spec.domain.cpu." + field + ": must be between 1 and " + MAX_VCPUS + ", got " + value);
        }
        return value.intValue();
    }

    private static int vcpusFromResources(ResourceRequirements resources) {
        if (resources == null) {
            return 1;
        }
        Quantity cpu = Optional.ofNullable(resources.limits()).map(m -> m.get("cpu"))
                .or(() -> Optional.ofNullable(resources.requests()).map(m -> m.get("cpu")))
                .orElse(null);
        if (cpu == null) {
            return 1;
        }
        long vcpus = cpu.toLongCeiling();
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new ConversionException("spec.domain.resources cpu: " + cpu + " gives " + vcpus + " vCPUs, outside 1.." + MAX_VCPUS);
        }
        return (int) vcpus;
    }

}
