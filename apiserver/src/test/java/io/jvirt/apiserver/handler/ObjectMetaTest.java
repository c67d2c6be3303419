package io.jvirt.apiserver.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.resources.ResourceType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** kube-apiserver's ObjectMeta rules: one row per rule with its field path, cause type and message. */
class ObjectMetaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
            + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final String NAME_PART_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            + "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
            + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    static ResourceType type(String group, String kind) {
        return new ResourceType(group, "v1", kind, kind.toLowerCase() + "s", kind.toLowerCase(), !kind.equals("Namespace"), List.of(),
                List.of(), null, List.of(), false, null, group.isEmpty(), "v1");
    }

    private static String causes(String kind, String meta) throws Exception {
        List<Cause> causes = ObjectMeta.validate(JSON.readTree(meta), ObjectMeta.nameRule(type(kind.equals("VirtualMachine") ? "kubevirt.io" : "", kind)));
        return String.join(";", causes.stream().map(c -> c.reason() + " " + c.field() + ": " + c.message()).toList());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        valid pod                  | Pod            | {"name":"p.1","labels":{"app":"web","example.com/x":""},"annotations":{"A/b":"x"},"finalizers":["kubevirt.io/x","orphan"]} | ``
        no name                    | Pod            | {}                                                           | FieldValueRequired metadata.name: Required value: name or generateName is required
        upper-case name            | Pod            | {"name":"Web"}                                               | FieldValueInvalid metadata.name: Invalid value: "Web": SUBDOMAIN
        namespace with dots        | Namespace      | {"name":"a.b"}                                               | FieldValueInvalid metadata.name: Invalid value: "a.b": must not contain dots
        namespace too long         | Namespace      | {"name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} | FieldValueInvalid metadata.name: Invalid value: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": must be no more than 63 characters
        service starts with digit  | Service        | {"name":"1svc"}                                              | FieldValueInvalid metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')
        custom resource name       | VirtualMachine | {"name":"vm_1"}                                              | FieldValueInvalid metadata.name: Invalid value: "vm_1": SUBDOMAIN
        generateName with dash     | Pod            | {"name":"web-x1","generateName":"web-"}                      | ``
        generateName invalid       | Pod            | {"name":"x","generateName":"Web-"}                           | FieldValueInvalid metadata.generateName: Invalid value: "Web-": SUBDOMAIN
        label key two slashes      | Pod            | {"name":"p","labels":{"a/b/c":"x"}}                          | FieldValueInvalid metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')
        label key bad name part    | Pod            | {"name":"p","labels":{"-x":"v"}}                             | FieldValueInvalid metadata.labels: Invalid value: "-x": NAMEPART
        label key empty prefix     | Pod            | {"name":"p","labels":{"/x":"v"}}                             | FieldValueInvalid metadata.labels: Invalid value: "/x": prefix part must be non-empty
        label key bad prefix       | Pod            | {"name":"p","labels":{"Ex.com/x":"v"}}                       | FieldValueInvalid metadata.labels: Invalid value: "Ex.com/x": prefix part SUBDOMAIN
        label key name too long    | Pod            | {"name":"p","labels":{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":"v"}} | FieldValueInvalid metadata.labels: Invalid value: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": name part must be no more than 63 characters
        label value with space     | Pod            | {"name":"p","labels":{"a":"b c"}}                            | FieldValueInvalid metadata.labels: Invalid value: "b c": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')
        label value too long       | Pod            | {"name":"p","labels":{"a":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}} | FieldValueInvalid metadata.labels: Invalid value: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb": must be no more than 63 characters
        annotation key upper case  | Pod            | {"name":"p","annotations":{"Example.COM/Key":"v"}}           | ``
        annotation key with space  | Pod            | {"name":"p","annotations":{"a b":"v"}}                       | FieldValueInvalid metadata.annotations: Invalid value: "a b": NAMEPART
        finalizer with space       | Pod            | {"name":"p","finalizers":["kubevirt.io/a b"]}                | FieldValueInvalid metadata.finalizers: Invalid value: "kubevirt.io/a b": NAMEPART
        orphan and foreground      | Pod            | {"name":"p","finalizers":["orphan","foregroundDeletion"]}    | FieldValueInvalid metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set
        owner without fields       | Pod            | {"name":"p","ownerReferences":[{}]}                          | FieldValueInvalid metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty;FieldValueInvalid metadata.ownerReferences.kind: Invalid value: "": kind must not be empty;FieldValueInvalid metadata.ownerReferences.name: Invalid value: "": name must not be empty;FieldValueInvalid metadata.ownerReferences.uid: Invalid value: "": uid must not be empty
        owner group without version| Pod            | {"name":"p","ownerReferences":[{"apiVersion":"kubevirt.io/","kind":"VirtualMachine","name":"vm","uid":"1"}]} | FieldValueInvalid metadata.ownerReferences.apiVersion: Invalid value: "kubevirt.io/": version must not be empty
        two controllers            | Pod            | {"name":"p","ownerReferences":[{"apiVersion":"v1","kind":"A","name":"a","uid":"1","controller":true},{"apiVersion":"v1","kind":"B","name":"b","uid":"2","controller":true}]} | FieldValueInvalid metadata.ownerReferences: Invalid value: "array": Only one reference can have Controller set to true. Found "true" in references for A/a and B/b
        """)
    void rules(String rule, String kind, String meta, String expected) throws Exception {
        String want = expected == null ? "" : expected.replace("NAMEPART", NAME_PART_MSG).replace("SUBDOMAIN", SUBDOMAIN_MSG);
        assertEquals(want, causes(kind, meta));
    }

    @Test
    void annotationsOver256KiBInAll() throws Exception {
        String half = "x".repeat(128 * 1024);
        assertEquals("", causes("Pod", "{\"name\":\"p\",\"annotations\":{\"a\":\"" + half + "\",\"b\":\"" + half.substring(2) + "\"}}"));
        assertEquals("FieldValueTooLong metadata.annotations: Too long: may not be more than 262144 bytes",
                causes("Pod", "{\"name\":\"p\",\"annotations\":{\"a\":\"" + half + "\",\"b\":\"" + half + "\"}}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        labels a string      | {"labels":"x"}                     | json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string
        label value a number | {"labels":{"a":1}}                 | json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string
        finalizers an object | {"finalizers":{}}                  | json: cannot unmarshal object into Go struct field ObjectMeta.metadata.finalizers of type []string
        owner uid a number   | {"ownerReferences":[{"uid":5}]}    | json: cannot unmarshal number into Go struct field OwnerReference.metadata.ownerReferences.uid of type string
        name a list          | {"name":["a"]}                     | json: cannot unmarshal array into Go struct field ObjectMeta.metadata.name of type string
        """)
    void wrongTypesAreBadRequests(String rule, String meta, String expected) throws Exception {
        JsonNode node = JSON.readTree(meta);
        ApiException e = assertThrows(ApiException.class, () -> ObjectMeta.checkTypes(type("", "Pod"), node));
        assertEquals(400, e.code());
        assertEquals("Pod in version \"v1\" cannot be handled as a Pod: " + expected, e.getMessage());
    }

    @Test
    void generatedNamesKeepTheFirst58Characters() {
        String name = ObjectMeta.generateName("a".repeat(70));
        assertEquals(63, name.length());
        assertTrue(name.startsWith("a".repeat(58)));
    }
}
