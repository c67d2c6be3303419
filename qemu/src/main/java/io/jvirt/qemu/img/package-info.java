/**
 * Disk images through {@code qemu-img}: {@link io.jvirt.qemu.img.QemuImg} always names formats and
 * refuses {@link io.jvirt.qemu.img.BackingChain#FOREIGN} images that refer to other files.
 */
package io.jvirt.qemu.img;
