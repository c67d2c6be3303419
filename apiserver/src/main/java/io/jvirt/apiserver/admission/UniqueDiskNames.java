package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.Cause;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * KubeVirt's rule that the disks of a VMI (or of a VM's template) have distinct names: the later
 * duplicate is reported as {@code <path>.disks[j] and <path>.disks[i] must not have the same Name.}
 * with field {@code <path>.disks[j].name} and type FieldValueDuplicate.
 */
public final class UniqueDiskNames implements ValidatingAdmitter {

    @Override
    public String name() {
        return "virtualmachine-validator.kubevirt.io";
    }

    @Override
    public boolean handles(AdmissionRequest r) {
        return r.subresource() == null && r.operation() != Operation.DELETE && r.type().group().equals("kubevirt.io")
                && (r.type().kind().equals("VirtualMachine") || r.type().kind().equals("VirtualMachineInstance")
                    || r.type().kind().equals("VirtualMachineInstanceReplicaSet"));
    }

    @Override
    public List<Cause> validate(AdmissionRequest r) {
        String specPath = switch (r.type().kind()) {
            case "VirtualMachineInstance" -> "spec";
            default -> "spec.template.spec";
        };
        JsonNode spec = r.object();
        for (String part : specPath.split("\\.")) spec = spec.path(part);
        String disksPath = specPath + ".domain.devices.disks";
        JsonNode disks = spec.path("domain").path("devices").path("disks");
        List<Cause> causes = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < disks.size(); i++) {
            String name = disks.get(i).path("name").asText();
            Integer first = seen.putIfAbsent(name, i);
            if (first != null) {
                causes.add(new Cause("FieldValueDuplicate", disksPath + "[" + i + "] and " + disksPath + "[" + first
                        + "] must not have the same Name.", disksPath + "[" + i + "].name"));
            }
        }
        return causes;
    }
}
