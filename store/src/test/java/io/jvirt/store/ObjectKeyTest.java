package io.jvirt.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObjectKeyTest {

    @ParameterizedTest
    @CsvSource(textBlock = """
            kubevirt.io, virtualmachines, default, vm1, kubevirt.io/virtualmachines/default/vm1
            '',          pods,            ns,      p,   /pods/ns/p
            '',          nodes,           '',      n1,  /nodes//n1
            """)
    void pathRoundTrips(String group, String resource, String namespace, String name, String path) {
        ObjectKey key = new ObjectKey(group, resource, namespace, name);
        assertEquals(path, key.path());
        assertEquals(key, ObjectKey.parse(path));
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            a/b, r,  ns,  n
            g,   '', ns,  n
            g,   r,  a/b, n
            g,   r,  ns,  ''
            g,   r,  ns,  x/y
            """)
    void invalidComponentsAreRejected(String group, String resource, String namespace, String name) {
        assertThrows(IllegalArgumentException.class, () -> new ObjectKey(group, resource, namespace, name));
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            g/r/ns/n/extra
            g/r/ns
            g/r/ns/
            """)
    void malformedPathsAreRejected(String path) {
        assertThrows(IllegalArgumentException.class, () -> ObjectKey.parse(path));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", textBlock = """
            g, r, null, g/r/ns/n, true
            g, r, ns,   g/r/ns/n, true
            g, r, ns,   g/r/ns2/n, false
            g, r, null, g/r2/ns/n, false
            g, r, null, g2/r/ns/n, false
            g, r, '',   g/r//n,   true
            g, r, '',   g/r/ns/n, false
            """)
    void prefixContainsExactlyItsKeys(String group, String resource, String namespace, String path, boolean contained) {
        KeyPrefix prefix = new KeyPrefix(group, resource, namespace);
        ObjectKey key = ObjectKey.parse(path);
        assertEquals(contained, prefix.contains(key));
        assertEquals(contained, path.startsWith(prefix.path()));
    }
}
