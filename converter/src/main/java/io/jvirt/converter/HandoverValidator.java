package io.jvirt.converter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Checks, on the real file system, every file the node hands over before QEMU may open it: the
 * path is absolute and normalized, no component of it is a symbolic link, and it is a regular file
 * (or a block device where one is announced). Stateless.
 */
public final class HandoverValidator {
    private HandoverValidator() {}

    /**
     * Validates all prepared volumes and kernel-boot files of {@code handover}.
     *
     * @throws ConversionException naming the first offending file
     */
    public static void validate(NodeHandover handover) {
        handover.volumes().forEach((name, disk) -> requireFile("volume " + name, disk.path(), disk.blockDevice()));
        if (handover.kernel() != null) {
            requireFile("kernel", handover.kernel().kernel(), false);
            if (handover.kernel().initrd() != null) {
                requireFile("initrd", handover.kernel().initrd(), false);
            }
        }
    }

    /** Checks one file; see the class comment. */
    public static void requireFile(String what, Path path, boolean blockDevice) {
        SpecPaths.requireSafeAbsolute(what, path);
        Path prefix = path.getRoot();
        for (Path part : path) {
            prefix = prefix.resolve(part);
            if (Files.isSymbolicLink(prefix)) {
                throw new ConversionException(what + ": " + path + " goes through a symbolic link at " + prefix);
            }
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ConversionException(what + ": " + path + " is not readable: " + e.getMessage());
        }
        if (blockDevice ? !attributes.isOther() : !attributes.isRegularFile()) {
            throw new ConversionException(what + ": " + path + " is not a " + (blockDevice ? "block device" : "regular file"));
        }
    }
}
