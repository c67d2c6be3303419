package io.jvirt.handler.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeResourcesTest {
    @ParameterizedTest
    @CsvSource({
        // cpus, memTotal, reserve, kvm, tun, capacity memory bytes, allocatable memory bytes, keys
        "2, 25276510208, 268435456, false, true, 25276510208, 25008074752, 'cpu,memory,pods,devices.kubevirt.io/tun'",
        "8, 1073741824, 268435456, true, true, 1073741824, 805306368, 'cpu,memory,pods,devices.kubevirt.io/kvm,devices.kubevirt.io/tun'",
        "1, 134217728, 268435456, true, false, 134217728, 0, 'cpu,memory,pods,devices.kubevirt.io/kvm'",
    })
    void capacityAndAllocatable(int cpus, long mem, long reserve, boolean kvm, boolean tun, long capMem, long allocMem, String keys) {
        NodeResources r = new NodeResources(cpus, mem, reserve, 110, kvm, tun);
        Map<String, Quantity> cap = r.capacity();
        Map<String, Quantity> alloc = r.allocatable();
        assertEquals(String.join(",", cap.keySet()), keys);
        assertEquals(capMem, Quantity.getAmountInBytes(cap.get("memory")).longValue());
        assertEquals(allocMem, Quantity.getAmountInBytes(alloc.get("memory")).longValue());
        assertEquals(cpus, cap.get("cpu").getNumericalAmount().intValue());
        assertEquals(110, alloc.get("pods").getNumericalAmount().intValue());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "MemTotal:       24684092 kB\\nMemFree: 1 kB | 25276510208",
        "MemFree: 1 kB\\nMemTotal: 1024 kB | 1048576",
    })
    void memTotal(String text, long bytes) {
        assertEquals(bytes, MemInfo.totalBytes(text.replace("\\n", "\n")));
    }
}
