package io.jvirt.converter;

import io.jvirt.api.v1.VirtualMachineInstance;
import io.jvirt.qemu.QemuCommandLine;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Turns a VMI spec plus the node's handover into QEMU's command line, by applying
 * {@link #CONFIGURATORS} in order. A pure function: no file is read or written (see
 * {@link HandoverValidator} for the checks on the real file system). Thread-safe.
 */
public final class VmiConverter {
    /** Every device kind, in argv order. */
    static final List<Configurator> CONFIGURATORS = List.of(
            new SupportConfigurator(),
            new IdentityConfigurator(),
            new HardeningConfigurator(),
            new MachineConfigurator(),
            new FeaturesConfigurator(),
            new AccelConfigurator(),
            new CpuConfigurator(),
            new MemoryConfigurator(),
            new FirmwareConfigurator(),
            new ClockConfigurator(),
            new IoThreadsConfigurator(),
            new ControllersConfigurator(),
            new DiskConfigurator(),
            new InterfaceConfigurator(),
            new BootOrderConfigurator(),
            new RngConfigurator(),
            new WatchdogConfigurator(),
            new GuestPanicConfigurator(),
            new InputConfigurator(),
            new GraphicsConfigurator(),
            new SerialConsoleConfigurator(),
            new QmpConfigurator());

    private final Path qemuBinary;

    public VmiConverter(Path qemuBinary) {
        this.qemuBinary = Objects.requireNonNull(qemuBinary, "qemuBinary");
    }

    /** A converter for Debian's {@code qemu-system-x86_64}. */
    public VmiConverter() {
        this(QemuCommandLine.QEMU_SYSTEM_X86_64);
    }

    /**
     * The QEMU command line and environment for {@code vmi}.
     *
     * @throws ConversionException naming the first spec field that cannot be expressed
     */
    public LaunchPlan convert(VirtualMachineInstance vmi, NodeHandover handover) {
        ConversionContext context = new ConversionContext(vmi, handover);
        QemuCommandLine.Builder qemu = QemuCommandLine.builder(qemuBinary);
        for (Configurator configurator : CONFIGURATORS) {
            configurator.configure(context, qemu);
        }
        return new LaunchPlan(qemu.build(), context.environment());
    }
}
