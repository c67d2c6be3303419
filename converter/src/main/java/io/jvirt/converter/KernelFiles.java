package io.jvirt.converter;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The kernel and initrd of {@code firmware.kernelBoot}, extracted by the node from the kernel-boot
 * container image.
 *
 * @param kernel the kernel image
 * @param initrd the initrd, or null when the spec names none
 */
public record KernelFiles(Path kernel, Path initrd) {
    public KernelFiles {
        Objects.requireNonNull(kernel, "kernel");
    }
}
