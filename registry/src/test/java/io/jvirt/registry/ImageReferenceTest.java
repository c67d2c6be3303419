package io.jvirt.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {
    private static final String D = "sha256:" + "ab".repeat(32);

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # reference                                          | registry            | repository                           | tag    | digest | policy
            busybox                                              | docker.io           | library/busybox                      | latest | -      | ALWAYS
            busybox:1.36                                         | docker.io           | library/busybox                      | 1.36   | -      | IF_NOT_PRESENT
            kubevirt/cirros-container-disk-demo                  | docker.io           | kubevirt/cirros-container-disk-demo  | latest | -      | ALWAYS
            docker.io/kubevirt/fedora:40                         | docker.io           | kubevirt/fedora                      | 40     | -      | IF_NOT_PRESENT
            index.docker.io/library/alpine                       | docker.io           | library/alpine                       | latest | -      | ALWAYS
            quay.io/kubevirt/cirros-container-disk-demo          | quay.io             | kubevirt/cirros-container-disk-demo  | latest | -      | ALWAYS
            registry:5000/kubevirt/cirros-container-disk-demo:devel | registry:5000    | kubevirt/cirros-container-disk-demo  | devel  | -      | IF_NOT_PRESENT
            localhost/demo                                       | localhost           | demo                                 | latest | -      | ALWAYS
            127.0.0.1:5000/a/b/c:v1.2-rc_3                       | 127.0.0.1:5000      | a/b/c                                | v1.2-rc_3 | -   | IF_NOT_PRESENT
            [::1]:5000/demo:1                                    | [::1]:5000          | demo                                 | 1      | -      | IF_NOT_PRESENT
            quay.io/x/y@sha256:abababababababababababababababababababababababababababababababab | quay.io | x/y | - | sha256:abababababababababababababababababababababababababababababababab | IF_NOT_PRESENT
            quay.io/x/y:1@sha256:abababababababababababababababababababababababababababababababab | quay.io | x/y | 1 | sha256:abababababababababababababababababababababababababababababababab | IF_NOT_PRESENT
            """)
    void parsesWithDockersDefaults(String text, String registry, String repository, String tag, String digest, PullPolicy policy) {
        ImageReference ref = ImageReference.parse(text);
        assertEquals(new ImageReference(registry, repository, tag, digest), ref);
        assertEquals(policy, ref.defaultPullPolicy());
        assertEquals(ref, ImageReference.parse(ref.toString()), "the canonical form parses to the same reference");
        assertEquals(digest != null ? digest : tag, ref.manifestReference());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                    | empty
            Busybox               | invalid repository
            quay.io/               | no repository
            quay.io/a/../b        | invalid repository
            a/b:bad/tag           | invalid repository
            a:-tag                | invalid tag
            a@sha256:123          | invalid sha256 digest
            a@md5:abcd            | unsupported digest algorithm
            a@nocolon             | expected algorithm:hex
            """)
    void refusesWhatIsNoReference(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            quay.io/a:latest | -            | ALWAYS
            quay.io/a:1      | -            | IF_NOT_PRESENT
            quay.io/a:1      | Always       | ALWAYS
            quay.io/a        | Never        | NEVER
            quay.io/a        | IfNotPresent | IF_NOT_PRESENT
            """)
    void pullPolicyDefaultsAsKubernetes(String text, String given, PullPolicy expected) {
        assertEquals(expected, PullPolicy.of(given, ImageReference.parse(text)));
    }

    @org.junit.jupiter.api.Test
    void anUnknownPullPolicyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PullPolicy.of("Sometimes", ImageReference.parse("a")));
        assertEquals(D, ImageReference.parse("a@" + D).digest());
    }
}
