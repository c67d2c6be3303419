package io.jvirt.virtctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code virtctl expose vm|vmi|vmirs NAME --name SVC --port P}: a Service selecting the launcher pods by
 * the labels the VMIs carry (a VM's or replica set's template labels, a VMI's own labels), as KubeVirt does.
 */
@Command(name = "expose", description = "Expose a VM, VMI or VMI replica set as a Service.")
final class Expose implements Callable<Integer>, VirtctlMain.Action {
    @ParentCommand
    VirtctlMain root;

    @Parameters(index = "0", paramLabel = "vm|vmi|vmirs")
    String kind;

    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Option(names = "--name", required = true, description = "Name of the Service.")
    String serviceName;

    @Option(names = "--port", required = true, description = "The port the Service serves on.")
    int port;

    @Option(names = "--target-port", description = "The port on the VM (default: --port).")
    String targetPort;

    @Option(names = "--type", defaultValue = "ClusterIP", description = "ClusterIP, NodePort or LoadBalancer.")
    String type;

    @Option(names = "--protocol", defaultValue = "TCP", description = "TCP, UDP or SCTP.")
    String protocol;

    @Override
    public String doing() {
        return "exposing " + kind;
    }

    @Override
    public Integer call() throws Exception {
        String plural = switch (kind) {
            case "vm", "virtualmachine" -> "virtualmachines";
            case "vmi", "virtualmachineinstance" -> "virtualmachineinstances";
            case "vmirs", "virtualmachineinstancereplicaset" -> "virtualmachineinstancereplicasets";
            default -> throw new IllegalArgumentException("unsupported resource type '" + kind + "': use vm, vmi or vmirs");
        };
        String ns = root.namespace();
        JsonNode object = root.api().get("/apis/kubevirt.io/v1/namespaces/" + ns + "/" + plural + "/" + name);
        JsonNode labels = plural.equals("virtualmachineinstances") ? selector(object.path("metadata").path("labels"))
                : object.path("spec").path("template").path("metadata").path("labels");
        if (!labels.isObject() || labels.isEmpty()) {
            throw new IllegalArgumentException("cannot expose " + kind + " " + name + ": it has no labels to select its pods by");
        }
        ObjectNode svc = Api.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Service");
        svc.putObject("metadata").put("name", serviceName).put("namespace", ns);
        ObjectNode spec = svc.putObject("spec").put("type", type);
        spec.set("selector", labels);
        ObjectNode p = spec.putArray("ports").addObject().put("port", port).put("protocol", protocol);
        String target = targetPort == null ? Integer.toString(port) : targetPort;
        if (target.matches("\\d+")) {
            p.put("targetPort", Integer.parseInt(target));
        } else {
            p.put("targetPort", target);
        }
        root.api().send("POST", "/api/v1/namespaces/" + ns + "/services", svc.toString());
        System.out.println("Service " + serviceName + " successfully exposed for " + kind + " " + name);
        return 0;
    }

    /** The label the VMI controller puts on a scheduled VMI; its launcher pod, made before, does not carry it. */
    static final String NODE_NAME_LABEL = "kubevirt.io/nodeName";

    /** A VMI's labels as a selector of its launcher pod: all of them but {@link #NODE_NAME_LABEL}, as KubeVirt's virtctl. */
    static JsonNode selector(JsonNode vmiLabels) {
        if (!vmiLabels.isObject()) {
            return vmiLabels;
        }
        ObjectNode selector = ((ObjectNode) vmiLabels).deepCopy();
        selector.remove(NODE_NAME_LABEL);
        return selector;
    }
}
