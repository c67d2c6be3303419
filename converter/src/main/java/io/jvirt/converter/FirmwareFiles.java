package io.jvirt.converter;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the UEFI firmware lives (Debian package {@code ovmf}).
 *
 * @param code read-only OVMF code image without Secure Boot
 * @param secureBootCode read-only OVMF code image with Secure Boot (needs SMM)
 * @param varsTemplate empty variable store, copied per VMI when Secure Boot is off
 * @param secureBootVarsTemplate variable store with enrolled keys, copied per VMI when Secure Boot is on
 */
public record FirmwareFiles(Path code, Path secureBootCode, Path varsTemplate, Path secureBootVarsTemplate) {
    public FirmwareFiles {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(secureBootCode, "secureBootCode");
        Objects.requireNonNull(varsTemplate, "varsTemplate");
        Objects.requireNonNull(secureBootVarsTemplate, "secureBootVarsTemplate");
    }

    /** The 4 MiB images Debian 12's {@code ovmf} package installs under /usr/share/OVMF. */
    public static FirmwareFiles debianOvmf() {
        Path dir = Path.of("/usr/share/OVMF");
        return new FirmwareFiles(dir.resolve("OVMF_CODE_4M.fd"), dir.resolve("OVMF_CODE_4M.secboot.fd"),
                dir.resolve("OVMF_VARS_4M.fd"), dir.resolve("OVMF_VARS_4M.ms.fd"));
    }
}
