package io.jvirt.converter;

/**
 * The VMI spec or the node's handover cannot be turned into a QEMU command line. The message names
 * the offending field (e.g. {@code spec.domain.devices.disks[1].cache}) and what is wrong with it.
 */
public final class ConversionException extends RuntimeException {
    public ConversionException(String message) {
        super(message);
    }
}
