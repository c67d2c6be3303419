package io.jvirt.apiserver.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.store.ObjectKey;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * kube-apiserver's Priority admission and PriorityClass validation over a real store holding the system classes and
 * the stored classes of each row ({@code name=value[/default]}, {@code ;}-separated). Rows: the write (JSON, single
 * quotes), then the pod's resulting {@code priority/priorityClassName/preemptionPolicy} or the refusal as
 * {@code code message}.
 */
class PriorityAdmissionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ResourceType PODS = new ResourceType("", "v1", "Pod", "pods", "pod", true, List.of(), List.of(), null, List.of(),
            true, null, true, "v1");
    private static final ResourceType CLASSES = new ResourceType("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses",
            "priorityclass", false, List.of(), List.of(), null, List.of(), false, null, true, "v1");
    @TempDir
    Path dir;
    private SqliteStore store;
    private PriorityAdmission admission;

    @BeforeEach
    void open() {
        store = SqliteStore.open(StoreConfig.defaults(dir.resolve("objects.db")));
        admission = new PriorityAdmission(store);
        PriorityAdmission.SYSTEM_CLASSES.forEach(this::store);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private void store(ObjectNode pc) {
        store.create(ObjectKey.cluster("scheduling.k8s.io", "priorityclasses", pc.path("metadata").path("name").asText()),
                pc.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void storeClasses(String classes) {
        if (classes == null || classes.isBlank()) return;
        for (String c : classes.split(";")) {
            String[] nameValue = c.strip().split("=");
            String[] valueDefault = nameValue[1].split("/");
            ObjectNode pc = JSON.createObjectNode();
            pc.putObject("metadata").put("name", nameValue[0]);
            pc.put("value", Long.parseLong(valueDefault[0])).put("globalDefault", valueDefault.length > 1).put("preemptionPolicy", "Never");
            store(pc);
        }
    }

    private static ObjectNode json(String singleQuoted) throws Exception {
        return (ObjectNode) JSON.readTree(singleQuoted.replace('\'', '"'));
    }

    /** Runs mutate then validate as the chain does; the outcome as text. */
    private String admit(Operation op, ResourceType type, ObjectNode object, ObjectNode old) {
        AdmissionRequest r = new AdmissionRequest(op, type, null, object, old, "admin", false);
        try {
            if (admission.handles(r)) {
                if (op != Operation.DELETE) admission.mutate(r);
                admission.validate(r);
            }
            return "ok";
        } catch (ApiException e) {
            return e.code() + " " + e.getMessage();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        named class                  | low=100               | {'metadata':{'name':'p'},'spec':{'priorityClassName':'low'}}                        | 100/low/Never
        system class                 |                       | {'metadata':{'name':'p'},'spec':{'priorityClassName':'system-node-critical'}}       | 2000001000/system-node-critical/PreemptLowerPriority
        missing class                |                       | {'metadata':{'name':'p'},'spec':{'priorityClassName':'preemtible'}}                 | 403 pods "p" is forbidden: no PriorityClass with name preemtible was found
        no class, no default         | low=100               | {'metadata':{'name':'p'},'spec':{}}                                                 | 0/null/null
        no class, the global default | low=100/d;high=900    | {'metadata':{'name':'p'},'spec':{}}                                                 | 100/low/Never
        lowest of two defaults       | a=500/d;b=300/d       | {'metadata':{'name':'p'},'spec':{}}                                                 | 300/b/Never
        priority given, the same     | low=100               | {'metadata':{'name':'p'},'spec':{'priorityClassName':'low','priority':100}}         | 100/low/Never
        priority given, another      | low=100               | {'metadata':{'name':'p'},'spec':{'priorityClassName':'low','priority':7}}           | 403 pods "p" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 100 from the given PriorityClass name
        preemption policy, another   | low=100               | {'metadata':{'name':'p'},'spec':{'priorityClassName':'low','preemptionPolicy':'PreemptLowerPriority'}} | 403 pods "p" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name
        """)
    void podCreate(String rule, String classes, String pod, String expected) throws Exception {
        storeClasses(classes);
        ObjectNode object = json(pod);
        String outcome = admit(Operation.CREATE, PODS, object, null);
        if (!outcome.equals("ok")) {
            assertEquals(expected, outcome);
            return;
        }
        ObjectNode spec = (ObjectNode) object.get("spec");
        assertEquals(expected, spec.path("priority").asText() + "/" + spec.path("priorityClassName").asText("null") + "/"
                + spec.path("preemptionPolicy").asText("null"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        user class                   |           | CREATE | {'metadata':{'name':'low'},'value':100}                                     |                                               | ok
        highest user value           |           | CREATE | {'metadata':{'name':'top'},'value':1000000000}                              |                                               | ok
        above the user maximum       |           | CREATE | {'metadata':{'name':'top'},'value':1000000001}                              |                                               | 422 PriorityClass.scheduling.k8s.io "top" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000
        system prefix                |           | CREATE | {'metadata':{'name':'system-mine'},'value':5}                               |                                               | 422 PriorityClass.scheduling.k8s.io "system-mine" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class
        system class, other value    |           | UPDATE | {'metadata':{'name':'system-node-critical'},'value':5}                      | {'metadata':{'name':'system-node-critical'},'value':2000001000,'preemptionPolicy':'PreemptLowerPriority'} | 422 PriorityClass.scheduling.k8s.io "system-node-critical" is invalid: [metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000, value: Forbidden: may not be changed in an update.]
        unknown preemption policy    |           | CREATE | {'metadata':{'name':'low'},'value':1,'preemptionPolicy':'Sometimes'}        |                                               | 422 PriorityClass.scheduling.k8s.io "low" is invalid: preemptionPolicy: Unsupported value: "Sometimes": supported values: "Never", "PreemptLowerPriority"
        value not an integer         |           | CREATE | {'metadata':{'name':'low'},'value':'high'}                                  |                                               | 400 PriorityClass in version "v1" cannot be handled as a PriorityClass: json: cannot unmarshal string into Go struct field PriorityClass.value of type int32
        value changed                | low=100   | UPDATE | {'metadata':{'name':'low'},'value':200,'preemptionPolicy':'Never'}          | {'metadata':{'name':'low'},'value':100,'preemptionPolicy':'Never'} | 422 PriorityClass.scheduling.k8s.io "low" is invalid: value: Forbidden: may not be changed in an update.
        description changed          | low=100   | UPDATE | {'metadata':{'name':'low'},'value':100,'preemptionPolicy':'Never','description':'x'} | {'metadata':{'name':'low'},'value':100,'preemptionPolicy':'Never'} | ok
        second global default        | a=5/d     | CREATE | {'metadata':{'name':'b'},'value':6,'globalDefault':true}                    |                                               | 403 priorityclasses.scheduling.k8s.io "b" is forbidden: PriorityClass a is already marked as default. Only one default can exist
        the default stays default    | a=5/d     | UPDATE | {'metadata':{'name':'a'},'value':5,'globalDefault':true,'preemptionPolicy':'Never','description':'x'} | {'metadata':{'name':'a'},'value':5,'globalDefault':true,'preemptionPolicy':'Never'} | ok
        delete a system class        |           | DELETE |                                                                             | {'metadata':{'name':'system-cluster-critical'},'value':2000000000} | 403 priorityclasses.scheduling.k8s.io "system-cluster-critical" is forbidden: this is a system priority class and cannot be deleted
        delete a user class          | low=100   | DELETE |                                                                             | {'metadata':{'name':'low'},'value':100}       | ok
        """)
    void priorityClassWrites(String rule, String classes, Operation op, String object, String old, String expected) throws Exception {
        storeClasses(classes);
        assertEquals(expected, admit(op, CLASSES, object == null ? null : json(object), old == null ? null : json(old)));
    }
}
