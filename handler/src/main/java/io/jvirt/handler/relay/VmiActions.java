package io.jvirt.handler.relay;

import io.jvirt.converter.DomainState;
import io.jvirt.handler.vmi.Supervisor;
import io.jvirt.qemu.qmp.QmpException;

/**
 * Runs one VMI action on its supervisor, with KubeVirt's refusals: pause of a paused VMI is 409 "VMI is
 * already paused", unpause of one that is not paused 409 "VMI is not paused", any other action the domain's
 * state does not allow (or QEMU refuses) 409 with the reason. guestosinfo is 409 "VMI does not have guest
 * agent connected" (jvirt has no guest agent channel yet).
 */
final class VmiActions {
    private VmiActions() {}

    static RelayReply run(Supervisor vm, String action) throws InterruptedException {
        if (action.equals("guestosinfo")) return RelayReply.conflict("VMI does not have guest agent connected");
        DomainState state = vm.state();
        if (action.equals("pause") && state == DomainState.PAUSED) return RelayReply.conflict("VMI is already paused");
        if (action.equals("unpause") && state != DomainState.PAUSED) return RelayReply.conflict("VMI is not paused");
        try {
            switch (action) {
                case "pause" -> vm.pause();
                case "unpause" -> vm.unpause();
                case "softreboot" -> vm.softReboot();
                case "reset" -> vm.reset();
                default -> throw new IllegalArgumentException("not a VMI action: " + action);
            }
            return RelayReply.ok("{}");
        } catch (QmpException | IllegalStateException e) {
            return RelayReply.conflict(e.getMessage());
        }
    }
}
