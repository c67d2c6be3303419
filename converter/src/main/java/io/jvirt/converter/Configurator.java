package io.jvirt.converter;

import io.jvirt.qemu.QemuCommandLine;

/**
 * Adds the QEMU arguments of one device kind. Configurators are applied in the order of
 * {@link VmiConverter#CONFIGURATORS}; each reads the spec through the context and appends to the
 * builder, or adds nothing when its device is absent. They are stateless and thread-safe.
 */
@FunctionalInterface
public interface Configurator {
    /**
     * Appends this device kind's arguments.
     *
     * @throws ConversionException if the spec asks for something this kind cannot express
     */
    void configure(ConversionContext context, QemuCommandLine.Builder qemu);
}
