package io.jvirt.converter;

import io.jvirt.api.v1.Input;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.util.List;

/** {@code devices.inputs}: tablet or keyboard on USB (the default) or virtio. */
final class InputConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        List<Input> inputs = context.inputs();
        for (int i = 0; i < inputs.size(); i++) {
            Input input = inputs.get(i);
            String field = "spec.domain.devices.inputs[" + i + "]";
            boolean usb = ControllersConfigurator.isUsbInput(input);
            if (!usb && !"virtio".equals(input.bus())) {
                throw new ConversionException(field + ".bus: unsupported '" + input.bus() + "' (supported: usb, virtio)");
            }
            String driver = switch (input.type() == null ? "" : input.type()) {
                case "tablet" -> usb ? "usb-tablet" : "virtio-tablet-pci";
                case "keyboard" -> usb ? "usb-kbd" : "virtio-keyboard-pci";
                default -> throw new ConversionException(field + ".type: unsupported '" + input.type() + "' (supported: tablet, keyboard)");
            };
            QemuOpts opts = QemuOpts.empty().with("id", "ua-" + input.name());
            if (usb) {
                opts = opts.with("bus", ControllersConfigurator.USB + ".0");
            }
            qemu.device(driver, opts);
        }
    }
}
