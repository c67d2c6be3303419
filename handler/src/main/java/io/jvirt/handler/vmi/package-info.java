/**
 * The VMI side: containerDisks from local OCI layouts (KubeVirt's demo names and configured
 * mirrors) with per-VMI qcow2 overlays, the launch request, the launcher socket client (wire format
 * only, no launcher classes), and the mapping of domain events to VMI status.
 */
package io.jvirt.handler.vmi;
