package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import java.util.List;

/**
 * What reaches a node is the control plane's to decide (like kube-apiserver's NodeRestriction plugin):
 * only the control plane's components ({@link ComponentIdentity}) and the server's own garbage
 * collector may create, change or delete launcher pods (label {@code kubevirt.io=virt-launcher}, or a
 * controller owner reference to a {@code kubevirt.io} VirtualMachineInstance), create a pod with
 * {@code spec.nodeName}, change a pod's {@code spec.nodeName}, or bind a pod ({@code pods/binding}).
 * Anyone else, admin included, gets 403 Forbidden with the reason: a node agent runs what these pods
 * name. Stateless; thread-safe.
 */
public final class LauncherPodRestriction implements ValidatingAdmitter {
    /** The API server's garbage collector (owner references, namespace deletion). */
    static final String GARBAGE_COLLECTOR = "system:garbage-collector";
    static final String APP_LABEL = "kubevirt.io";
    static final String APP_VALUE = "virt-launcher";

    @Override
    public String name() {
        return "launcher-pod-restriction.jvirt.io";
    }

    @Override
    public boolean handles(AdmissionRequest r) {
        return r.type().group().isEmpty() && r.type().plural().equals("pods");
    }

    /** @throws ApiException 403 Forbidden when the requester may not make this change; never returns causes otherwise */
    @Override
    public List<Cause> validate(AdmissionRequest r) {
        if (ComponentIdentity.of(r.userName()).isPresent() || GARBAGE_COLLECTOR.equals(r.userName())) {
            return List.of();
        }
        JsonNode object = r.object() == null ? r.oldObject() : r.object();
        String name = object == null ? null : object.path("metadata").path("name").asText(null);
        if ("binding".equals(r.subresource())) {
            throw forbidden(name, r.userName(), "only the scheduler binds pods to nodes (pods/binding)");
        }
        String launchers = "launcher pods (label " + APP_LABEL + "=" + APP_VALUE + " or owned by a VirtualMachineInstance) are made, changed"
                + " and deleted by virt-controller and the node agent only";
        switch (r.operation()) {
            case CREATE -> {
                if (isLauncher(r.object())) {
                    throw forbidden(name, r.userName(), launchers + "; create a VirtualMachineInstance instead");
                }
                if (!nodeName(r.object()).isEmpty()) {
                    throw forbidden(name, r.userName(), "spec.nodeName is set by the scheduler only; create the pod without it");
                }
            }
            case UPDATE -> {
                if (isLauncher(r.oldObject()) || isLauncher(r.object())) {
                    throw forbidden(name, r.userName(), launchers);
                }
                if (!nodeName(r.oldObject()).equals(nodeName(r.object()))) {
                    throw forbidden(name, r.userName(), "spec.nodeName is set by the scheduler only (pods/binding)");
                }
            }
            case DELETE -> {
                if (isLauncher(r.oldObject())) {
                    throw forbidden(name, r.userName(), launchers + "; delete its VirtualMachineInstance instead");
                }
            }
        }
        return List.of();
    }

    /** The label {@code kubevirt.io=virt-launcher}, or a controller owner reference to a kubevirt.io VirtualMachineInstance. */
    static boolean isLauncher(JsonNode pod) {
        if (pod == null) {
            return false;
        }
        JsonNode meta = pod.path("metadata");
        if (APP_VALUE.equals(meta.path("labels").path(APP_LABEL).asText(null))) {
            return true;
        }
        for (JsonNode ref : meta.path("ownerReferences")) {
            if (ref.path("kind").asText().equals("VirtualMachineInstance") && ref.path("apiVersion").asText().startsWith("kubevirt.io/")) {
                return true;
            }
        }
        return false;
    }

    private static String nodeName(JsonNode pod) {
        return pod == null ? "" : pod.path("spec").path("nodeName").asText("");
    }

    private static ApiException forbidden(String name, String user, String why) {
        String what = name == null ? "pods" : "pods \"" + name + "\"";
        return new ApiException(403, "Forbidden", what + " is forbidden: User \"" + user + "\" may not do this: " + why,
                name, "", "pods", List.of());
    }
}
