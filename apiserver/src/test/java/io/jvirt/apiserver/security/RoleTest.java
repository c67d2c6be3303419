package io.jvirt.apiserver.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each built-in role may do, after Kubernetes' admin / edit / view cluster roles. */
class RoleTest {
    @ParameterizedTest(name = "{0} {1} {2}/{3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        VIEW  | get    | ''                       | pods                          | true
        VIEW  | list   | kubevirt.io              | virtualmachines               | true
        VIEW  | get    | ''                       | secrets                       | false
        VIEW  | watch  | ''                       | secrets                       | false
        VIEW  | get    | subresources.kubevirt.io | virtualmachineinstances/console | false
        VIEW  | update | subresources.kubevirt.io | virtualmachines/start         | false
        VIEW  | create | ''                       | configmaps                    | false
        EDIT  | get    | ''                       | secrets                       | true
        EDIT  | update | subresources.kubevirt.io | virtualmachines/start         | true
        EDIT  | get    | subresources.kubevirt.io | virtualmachineinstances/console | true
        ADMIN | delete | ''                       | secrets                       | true
        """)
    void rolesAllowWhatKubernetesRolesAllow(Role role, String verb, String group, String plural, boolean allowed) {
        assertEquals(allowed, role.allows(verb, group, plural, true));
    }

    @ParameterizedTest
    @CsvSource({"EDIT, create, nodes, false", "EDIT, get, nodes, true", "ADMIN, create, nodes, true"})
    void editDoesNotWriteClusterScopedObjects(Role role, String verb, String plural, boolean allowed) {
        assertEquals(allowed, role.allows(verb, "", plural, false));
    }
}
