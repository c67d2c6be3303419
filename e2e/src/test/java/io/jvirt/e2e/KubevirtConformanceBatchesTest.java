package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.e2e.KubevirtConformanceIT.Doc;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the conformance run groups guest files into runs that share the machine: in order, never two files naming one object. */
class KubevirtConformanceBatchesTest {
    /**
     * @param files each file as {@code file=Kind/name+Kind/name}
     * @param expected the runs, {@code /} between runs, spaces between files
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        runs of three in order             | a=VMI/a b=VMI/b c=VM/c d=VM/d             | 3 | a b c / d
        a file naming an object of the run | a=VMI/x b=VMI/y c=VMI/x d=VM/z e=VM/e     | 3 | a b / c d e
        same name, another kind            | a=VMI/x b=VM/x c=VM/y                     | 3 | a b c
        clash with the second document     | a=VM/p+VMI/q b=VMI/q                      | 3 | a / b
        run of one                         | a=VMI/a b=VMI/a                           | 1 | a / b
        """)
    void batches(String rule, String files, int size, String expected) {
        Map<Path, List<Doc>> guests = new LinkedHashMap<>();
        for (String file : files.split(" ")) {
            String[] f = file.split("=");
            guests.put(Path.of(f[0]), Arrays.stream(f[1].split("\\+")).map(o -> new Doc(o.split("/")[0], o.split("/")[1], "Always")).toList());
        }
        List<List<Path>> want = Arrays.stream(expected.split(" / ")).map(run -> Arrays.stream(run.split(" ")).map(Path::of).toList()).toList();
        assertEquals(want, KubevirtConformanceIT.batches(guests, size));
    }
}
