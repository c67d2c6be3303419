package io.jvirt.controller.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * {@code v1.VirtualMachineStateChangeRequest}, written by the start/stop/restart subresources.
 *
 * @param action {@code Start} or {@code Stop}
 * @param data optional; {@code data.uid} on a Stop names the VMI to stop
 * @param uid for a Stop: the VMI UID it applies to; another (newer) VMI is left alone
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateChangeRequest(String action, Map<String, String> data, String uid) {
    public static final String START = "Start";
    public static final String STOP = "Stop";

    public boolean isStart() {
        return START.equals(action);
    }

    public boolean isStop() {
        return STOP.equals(action);
    }
}
