package io.jvirt.apiserver.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricFamiliesTest {
    private static final String NODE_A = """
            # HELP kubevirt_vmi_phase_count Sum of VMIs per phase and node.
            # TYPE kubevirt_vmi_phase_count gauge
            kubevirt_vmi_phase_count{node="a",phase="running"} 2.0
            # HELP kubevirt_vmi_vcpu_seconds_total vcpu time.
            # TYPE kubevirt_vmi_vcpu_seconds_total counter
            kubevirt_vmi_vcpu_seconds_total{id="0",name="x",node="a"} 1.5
            """;
    private static final String NODE_B = """
            # HELP kubevirt_vmi_phase_count Sum of VMIs per phase and node.
            # TYPE kubevirt_vmi_phase_count gauge
            kubevirt_vmi_phase_count{node="b",phase="running"} 1.0
            kubevirt_vmi_phase_count{node="b",phase="scheduled"} 1.0
            # HELP kubevirt_vmi_memory_resident_bytes rss.
            # TYPE kubevirt_vmi_memory_resident_bytes gauge
            kubevirt_vmi_memory_resident_bytes{name="y",node="b"} 4096.0
            """;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no source    | ''",
            "one source   | a",
            "two sources  | a,b",
            "same twice   | b,b",
    })
    void everyFamilyOnceWithTheSamplesOfAllSources(String name, String sources) {
        List<String> texts = sources.isEmpty() ? List.of() : Arrays.stream(sources.split(",")).map(s -> s.equals("a") ? NODE_A : NODE_B).toList();
        String merged = MetricFamilies.merge(texts);
        List<String> lines = merged.lines().toList();
        for (String family : List.of("kubevirt_vmi_phase_count", "kubevirt_vmi_vcpu_seconds_total", "kubevirt_vmi_memory_resident_bytes")) {
            long present = texts.stream().filter(t -> t.contains("# TYPE " + family + " ")).count();
            assertEquals(present > 0 ? 1 : 0, lines.stream().filter(l -> l.startsWith("# TYPE " + family + " ")).count(), merged);
            assertEquals(present > 0 ? 1 : 0, lines.stream().filter(l -> l.startsWith("# HELP " + family + " ")).count(), merged);
            int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("# TYPE " + family + " ")).findFirst().orElse(""));
            long samples = texts.stream().flatMap(String::lines).filter(l -> l.startsWith(family + "{")).count();
            assertEquals(samples, lines.stream().filter(l -> l.startsWith(family + "{")).count(), merged);
            // a family's samples follow its header, before the next family's header
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).startsWith(family + "{")) continue;
                int last = i;
                while (last >= 0 && !lines.get(last).startsWith("# TYPE ")) last--;
                assertEquals(header, last, merged);
            }
        }
    }
}
