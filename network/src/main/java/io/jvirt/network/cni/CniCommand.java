package io.jvirt.network.cni;

/** The operations of the CNI spec a runtime asks of a plugin ({@code CNI_COMMAND}). */
public enum CniCommand {
    ADD, DEL, CHECK, VERSION
}
