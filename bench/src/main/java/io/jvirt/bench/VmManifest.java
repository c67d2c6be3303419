package io.jvirt.bench;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The object both sides of the apiserver benchmark store: a small halted kubevirt.io/v1
 * VirtualMachine (one containerDisk, 128Mi) as JSON, carrying a sequence number in the annotation
 * {@value #SEQ}. jvirt receives it as a create; etcd stores the same bytes as the value, as
 * kube-apiserver stores custom resources. Stateless.
 */
final class VmManifest {
    static final String SEQ = "bench.jvirt.io/seq";

    private VmManifest() {
    }

    static String name(int index) {
        return "vm-" + index;
    }

    static String json(String namespace, int index, int seq) {
        String name = name(index);
        return "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\","
                + "\"labels\":{\"app\":\"bench\"},\"annotations\":{\"" + SEQ + "\":\"" + seq + "\"}},"
                + "\"spec\":{\"runStrategy\":\"Halted\",\"template\":{\"metadata\":{\"labels\":{\"kubevirt.io/vm\":\"" + name + "\"}},"
                + "\"spec\":{\"domain\":{\"devices\":{\"disks\":[{\"name\":\"containerdisk\",\"disk\":{\"bus\":\"virtio\"}}]},"
                + "\"resources\":{\"requests\":{\"memory\":\"128Mi\"}}},"
                + "\"volumes\":[{\"name\":\"containerdisk\",\"containerDisk\":{\"image\":\"registry:5000/kubevirt/cirros-container-disk-demo:devel\"}}]}}}}";
    }

    /** The sequence number of a VirtualMachine object, or -1 without one. */
    static int seqOf(JsonNode vm) {
        return vm.path("metadata").path("annotations").path(SEQ).asInt(-1);
    }
}
