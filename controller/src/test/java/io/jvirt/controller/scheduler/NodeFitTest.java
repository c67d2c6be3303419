package io.jvirt.controller.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeFitTest {
    private static final long MI = 1024L * 1024L;
    private static final Map<String, String> LABELS = Map.of("disk", "ssd", "zone", "a", "cores", "8");

    private static Map<String, String> selector(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (s == null) return m;
        for (String kv : s.split(";")) m.put(kv.split("=")[0], kv.split("=")[1]);
        return m;
    }

    /** "key op v1,v2;key op" with terms separated by " OR ". */
    private static List<NodeSelectorTerm> terms(String s) {
        List<NodeSelectorTerm> out = new ArrayList<>();
        if (s == null) return out;
        for (String term : s.split(" OR ")) {
            List<NodeSelectorRequirement> reqs = new ArrayList<>();
            for (String r : term.split(";")) {
                String[] p = r.trim().split(" ");
                reqs.add(new NodeSelectorRequirement(p[0], p[1], p.length > 2 ? Arrays.asList(p[2].split(",")) : null));
            }
            out.add(new NodeSelectorTerm(reqs, null));
        }
        return out;
    }

    @ParameterizedTest(name = "[{index}] cpu={0}m mem={1}Mi sel={2} aff={3} ready={4} cordoned={5} used={6}m/{7}Mi -> {8}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            100  | 312  | null            | null                           | true  | false | 0    | 0    | null
            100  | 2048 | null            | null                           | true  | false | 0    | 0    | null
            100  | 2049 | null            | null                           | true  | false | 0    | 0    | Insufficient memory
            100  | 1024 | null            | null                           | true  | false | 0    | 1025 | Insufficient memory
            4000 | 128  | null            | null                           | true  | false | 0    | 0    | null
            4001 | 128  | null            | null                           | true  | false | 0    | 0    | Insufficient cpu
            100  | 128  | null            | null                           | true  | false | 3950 | 0    | Insufficient cpu
            100  | 128  | disk=ssd        | null                           | true  | false | 0    | 0    | null
            100  | 128  | disk=hdd        | null                           | true  | false | 0    | 0    | node(s) didn't match Pod's node affinity/selector
            100  | 128  | disk=ssd;zone=b | null                           | true  | false | 0    | 0    | node(s) didn't match Pod's node affinity/selector
            100  | 128  | null            | zone In a,b                    | true  | false | 0    | 0    | null
            100  | 128  | null            | zone NotIn a                   | true  | false | 0    | 0    | node(s) didn't match Pod's node affinity/selector
            100  | 128  | null            | gpu Exists                     | true  | false | 0    | 0    | node(s) didn't match Pod's node affinity/selector
            100  | 128  | null            | gpu DoesNotExist               | true  | false | 0    | 0    | null
            100  | 128  | null            | cores Gt 4                     | true  | false | 0    | 0    | null
            100  | 128  | null            | cores Lt 4                     | true  | false | 0    | 0    | node(s) didn't match Pod's node affinity/selector
            100  | 128  | null            | zone In b OR disk In ssd       | true  | false | 0    | 0    | null
            100  | 128  | null            | zone In a;disk In hdd          | true  | false | 0    | 0    | node(s) didn't match Pod's node affinity/selector
            100  | 128  | null            | null                           | false | false | 0    | 0    | node(s) were not ready
            100  | 128  | null            | null                           | true  | true  | 0    | 0    | node(s) were unschedulable
            100  | 9999 | disk=hdd        | null                           | true  | false | 0    | 0    | node(s) didn't match Pod's node affinity/selector
            """)
    void fit(long cpu, long memMi, String sel, String aff, boolean ready, boolean cordoned, long usedCpu, long usedMi, String reason) {
        NodeFit.Node node = new NodeFit.Node("n", LABELS, ready, cordoned, new Resources(4000, 2048 * MI));
        NodeFit.Demand demand = new NodeFit.Demand(new Resources(cpu, memMi * MI), selector(sel), terms(aff));
        assertEquals(java.util.Optional.ofNullable(reason), NodeFit.check(demand, node, new Resources(usedCpu, usedMi * MI)));
    }

    @Test
    void summaryReadsLikeKubeScheduler() {
        Map<String, Integer> reasons = new TreeMap<>(Map.of(NodeFit.MEMORY, 2, NodeFit.NOT_READY, 1));
        assertEquals("0/3 nodes are available: 2 Insufficient memory, 1 node(s) were not ready.", NodeFit.summary(3, reasons));
        assertEquals("0/0 nodes are available.", NodeFit.summary(0, Map.of()));
    }
}
