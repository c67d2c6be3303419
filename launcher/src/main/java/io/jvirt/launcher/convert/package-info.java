/**
 * VMI spec → QEMU command line: one small {@link io.jvirt.launcher.convert.Configurator} per device
 * kind, applied in the order of {@code VmiConverter.CONFIGURATORS}. Pure (no I/O); what the node
 * prepared arrives as a {@link io.jvirt.launcher.convert.NodeHandover}. Errors are
 * {@link io.jvirt.launcher.convert.ConversionException}s naming the spec field.
 */
package io.jvirt.launcher.convert;
