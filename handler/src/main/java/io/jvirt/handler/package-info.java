/**
 * virt-handler, jvirt's node agent: {@link io.jvirt.handler.NodeAgent} wires Node registration
 * ({@code node}), the embedded-mode pod runner ({@code pod}) and the VMI side ({@code vmi}).
 * It is a plain fabric8 client and talks to launchers only over their socket protocol.
 */
package io.jvirt.handler;
