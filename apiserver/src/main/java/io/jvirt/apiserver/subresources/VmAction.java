package io.jvirt.apiserver.subresources;

/** The VM subresources that only change the VirtualMachine object: {@code start}, {@code stop}, {@code restart}. */
public enum VmAction {
    START, STOP, RESTART;

    /** The action named by a URL subresource, or null. */
    public static VmAction ofSubresource(String sub) {
        return switch (sub) {
            case "start" -> START;
            case "stop" -> STOP;
            case "restart" -> RESTART;
            default -> null;
        };
    }
}
