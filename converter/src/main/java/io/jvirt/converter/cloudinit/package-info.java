/** Cloud-init disks written in Java: an ISO 9660 + Joliet writer and the NoCloud / config-drive layouts. */
package io.jvirt.converter.cloudinit;
