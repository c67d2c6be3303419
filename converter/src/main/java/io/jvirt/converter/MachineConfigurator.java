package io.jvirt.converter;

import io.jvirt.api.v1.Machine;
import io.jvirt.qemu.QemuCommandLine;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code -machine <type>} from {@code spec.domain.machine.type}: q35 unless the spec says otherwise. */
final class MachineConfigurator implements Configurator {
    static final String DEFAULT_TYPE = "q35";
    private static final Pattern SUPPORTED = Pattern.compile("q35|pc|pc-q35-[0-9.]+|pc-i440fx-[0-9.]+");

    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        qemu.machine(machineType(context));
    }

    /** The QEMU machine type for the VMI; throws if it is not an x86 machine QEMU knows. */
    static String machineType(ConversionContext context) {
        String type = Optional.ofNullable(context.domain().machine()).map(Machine::type)
                .filter(t -> !t.isEmpty()).orElse(DEFAULT_TYPE);
        if (!SUPPORTED.matcher(type).matches()) {
            throw new ConversionException("spec.domain.machine.type: unsupported machine type '" + type
                    + "' (supported: q35, pc, pc-q35-<version>, pc-i440fx-<version>)");
        }
        return type;
    }
}
