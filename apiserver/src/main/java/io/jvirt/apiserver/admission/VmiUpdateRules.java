package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.apiserver.http.Cause;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * KubeVirt's VMI update webhook ({@code virtualmachineinstances-update-validator.kubevirt.io}): only KubeVirt's own
 * accounts change a VMI's spec (users go through the subresources: {@code update of VMI object is restricted}) or its
 * reserved {@code kubevirt.io/} labels ({@code modification of the following reserved kubevirt.io/ labels on a VMI object
 * is prohibited}). KubeVirt's accounts here: the controller, the node agent and the API server itself acting for a
 * subresource ({@link #API_SERVER}). Status and other subresources are not looked at. Stateless; thread-safe.
 */
public final class VmiUpdateRules implements ValidatingAdmitter {
    /** The identity the API server writes with when a subresource (virtctl stop --grace-period) changes a VMI, as virt-api does. */
    public static final String API_SERVER = "system:serviceaccount:kubevirt:kubevirt-apiserver";

    @Override
    public String name() {
        return "virtualmachineinstances-update-validator.kubevirt.io";
    }

    @Override
    public boolean handles(AdmissionRequest r) {
        return r.operation() == Operation.UPDATE && r.subresource() == null && r.type().group().equals("kubevirt.io")
                && r.type().kind().equals("VirtualMachineInstance");
    }

    @Override
    public List<Cause> validate(AdmissionRequest r) {
        if (kubeVirtAccount(r.userName()) || r.oldObject() == null) return List.of();
        if (!r.object().path("spec").equals(r.oldObject().path("spec"))) {
            return List.of(new Cause("FieldValueNotSupported", "update of VMI object is restricted", null));
        }
        if (!reserved(r.object()).equals(reserved(r.oldObject()))) {
            return List.of(new Cause("FieldValueNotSupported", "modification of the following reserved kubevirt.io/ labels on a VMI object is prohibited", null));
        }
        return List.of();
    }

    static boolean kubeVirtAccount(String user) {
        return API_SERVER.equals(user) || ComponentIdentity.CONTROLLER.is(user) || ComponentIdentity.NODE_AGENT.is(user);
    }

    private static Map<String, String> reserved(JsonNode vmi) {
        Map<String, String> out = new TreeMap<>();
        JsonNode labels = vmi.path("metadata").path("labels");
        for (String key : VmiSpecRules.RESERVED_LABELS) if (labels.has(key)) out.put(key, labels.get(key).asText());
        return out;
    }
}
