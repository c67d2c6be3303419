package io.jvirt.converter;

import io.jvirt.api.v1.Bootloader;
import io.jvirt.api.v1.Efi;
import io.jvirt.api.v1.Firmware;
import io.jvirt.api.v1.KernelBoot;
import io.jvirt.api.v1.KernelBootContainer;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code spec.domain.firmware}: SeaBIOS (QEMU's default, nothing to add) or OVMF on two pflash
 * drives (code read-only, a per-VMI copy of the variable store writable; Secure Boot, KubeVirt's
 * default for {@code efi}, uses the secboot build and secure pflash on q35); {@code kernelBoot} as
 * {@code -kernel/-initrd/-append} with the files the node extracted; {@code uuid} and
 * {@code serial} as SMBIOS system UUID and serial.
 */
final class FirmwareConfigurator implements Configurator {
    private static final Pattern SMBIOS_SERIAL = Pattern.compile("[A-Za-z0-9_.+ -]{1,64}");

    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        Optional<Firmware> firmware = Optional.ofNullable(context.domain().firmware());
        firmware.map(Firmware::uuid).map(FirmwareConfigurator::uuid).ifPresent(qemu::uuid);
        firmware.map(Firmware::serial).ifPresent(serial -> smbiosSerial(serial, qemu));
        efi(context).ifPresent(efi -> uefi(context, qemu));
        firmware.map(Firmware::kernelBoot).ifPresent(kernelBoot -> kernelBoot(context, kernelBoot, qemu));
    }

    static Optional<Efi> efi(ConversionContext context) {
        return Optional.ofNullable(context.domain().firmware()).map(Firmware::bootloader).map(Bootloader::efi);
    }

    /** True when the VMI boots UEFI with Secure Boot (the default once {@code efi} is given). */
    static boolean secureBoot(ConversionContext context) {
        return efi(context).map(efi -> efi.secureBoot() == null || efi.secureBoot()).orElse(false);
    }

    private static UUID uuid(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new ConversionException("spec.domain.firmware.uuid: not a UUID: '" + value + "'");
        }
    }

    private static void smbiosSerial(String serial, QemuCommandLine.Builder qemu) {
        if (!SMBIOS_SERIAL.matcher(serial).matches()) {
            throw new ConversionException("spec.domain.firmware.serial: 1-64 characters of A-Z a-z 0-9 _ . + - and space: '" + serial + "'");
        }
        qemu.option("-smbios", QemuOpts.empty().with("type", 1).with("serial", serial));
    }

    private static void uefi(ConversionContext context, QemuCommandLine.Builder qemu) {
        boolean secure = secureBoot(context);
        FirmwareFiles files = context.handover().firmware();
        if (secure && context.isPcMachine()) {
            throw new ConversionException("spec.domain.firmware.bootloader.efi.secureBoot: needs machine type q35");
        }
        String code = SpecPaths.requireSafeAbsolute("firmware code", secure ? files.secureBootCode() : files.code()).toString();
        String vars = SpecPaths.requireSafeAbsolute("firmware vars", context.handover().runDirectory().efiVars()).toString();
        qemu.drive(QemuOpts.empty().with("if", "pflash").with("format", "raw").with("unit", 0)
                .with("file", code).with("readonly", true));
        qemu.drive(QemuOpts.empty().with("if", "pflash").with("format", "raw").with("unit", 1).with("file", vars));
        if (secure) {
            // the long form: in "-global cfi.pflash01.secure=on" QEMU takes "cfi" as the driver
            qemu.option("-global", QemuOpts.empty().with("driver", "cfi.pflash01").with("property", "secure").with("value", "on"));
        }
    }

    private static void kernelBoot(ConversionContext context, KernelBoot kernelBoot, QemuCommandLine.Builder qemu) {
        KernelBootContainer container = kernelBoot.container();
        if (container == null) {
            throw new ConversionException("spec.domain.firmware.kernelBoot.container: required for kernel boot");
        }
        if (container.kernelPath() == null && container.initrdPath() == null) {
            throw new ConversionException("spec.domain.firmware.kernelBoot.container: kernelPath or initrdPath is required");
        }
        Optional.ofNullable(container.kernelPath())
                .ifPresent(p -> SpecPaths.requireSafeAbsolute("spec.domain.firmware.kernelBoot.container.kernelPath", p));
        Optional.ofNullable(container.initrdPath())
                .ifPresent(p -> SpecPaths.requireSafeAbsolute("spec.domain.firmware.kernelBoot.container.initrdPath", p));
        KernelFiles files = context.handover().kernel();
        if (files == null) {
            throw new ConversionException("spec.domain.firmware.kernelBoot: the node handed over no kernel extracted from "
                    + container.image());
        }
        qemu.kernel(SpecPaths.requireSafeAbsolute("kernel handed over", files.kernel()));
        if (files.initrd() != null) {
            qemu.initrd(SpecPaths.requireSafeAbsolute("initrd handed over", files.initrd()));
        }
        String args = kernelBoot.kernelArgs();
        if (args != null && !args.isBlank()) {
            if (args.chars().anyMatch(Character::isISOControl)) {
                throw new ConversionException("spec.domain.firmware.kernelBoot.kernelArgs: contains a control character");
            }
            qemu.append(args);
        }
    }
}
