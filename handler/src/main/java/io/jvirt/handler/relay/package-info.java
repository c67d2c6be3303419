/**
 * The node agent's relay endpoint for {@code subresources.kubevirt.io} VMI actions: the API server
 * connects over loopback TCP, names a VMI and an action in one header line with the node's shared
 * token, and gets either a one-line answer (pause, unpause, softreboot, reset, guestosinfo) or a raw
 * byte stream to the launcher's serial console or VNC unix socket. See docs/handler.md.
 */
package io.jvirt.handler.relay;
