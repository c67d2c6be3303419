/**
 * The converter (KubeVirt's {@code virtwrap/converter}): VMI spec → QEMU command line, one small
 * {@link io.jvirt.converter.Configurator} per device kind, applied in the order of
 * {@code VmiConverter.CONFIGURATORS}; the conversion itself is pure (no I/O), and what the node
 * prepared arrives as a {@link io.jvirt.converter.NodeHandover}. {@link io.jvirt.converter.Preparation}
 * writes the per-VMI files the conversion needs (cloud-init ISOs, UEFI variables, logs) and checks every
 * handed-over file and image. Errors are {@link io.jvirt.converter.ConversionException}s naming the spec
 * field. A driver-level library: imports {@code api} and {@code qemu} only.
 */
package io.jvirt.converter;
