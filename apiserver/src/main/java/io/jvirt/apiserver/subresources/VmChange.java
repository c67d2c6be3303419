package io.jvirt.apiserver.subresources;

import java.util.List;
import java.util.Map;

/** The outcome of a VM action: rejected with a Status, or a change to write to the VM. */
public sealed interface VmChange {

    /** The action is refused: HTTP {@code code}, KubeVirt's {@code message}. */
    record Rejected(int code, String message) implements VmChange {}

    /**
     * The action is accepted.
     *
     * @param runStrategy the new effective run strategy, null to leave it
     * @param requests state-change requests to append to {@code status.stateChangeRequests}, oldest first
     */
    record Accepted(String runStrategy, List<Request> requests) implements VmChange {}

    /** One {@code VirtualMachineStateChangeRequest}: action Start or Stop, optional data, optional VMI UID. */
    record Request(String action, Map<String, String> data, String uid) {}
}
