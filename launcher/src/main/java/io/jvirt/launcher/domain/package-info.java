/** The running QEMU of one VMI: start, pause, shutdown with grace period, kill, and its state events. */
package io.jvirt.launcher.domain;
