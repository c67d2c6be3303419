package io.jvirt.apiserver.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Cause;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KubeVirt's VMI update webhook: who may change a VMI's spec and reserved labels, with KubeVirt's messages. */
class VmiUpdateRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OLD = "{'metadata':{'labels':{'a':'b','kubevirt.io/nodeName':'n1'}},'spec':{'domain':{'memory':{'guest':'1Gi'}}},'status':{'phase':'Running'}}";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        user changes the spec              | admin                                               | {'metadata':{'labels':{'a':'b','kubevirt.io/nodeName':'n1'}},'spec':{'domain':{'memory':{'guest':'2Gi'}}}} | FieldValueNotSupported: update of VMI object is restricted
        user changes a label               | alice                                               | {'metadata':{'labels':{'a':'c','kubevirt.io/nodeName':'n1'}},'spec':{'domain':{'memory':{'guest':'1Gi'}}}} | ``
        user changes the status only       | alice                                               | {'metadata':{'labels':{'a':'b','kubevirt.io/nodeName':'n1'}},'spec':{'domain':{'memory':{'guest':'1Gi'}}},'status':{}} | ``
        user moves a reserved label        | alice                                               | {'metadata':{'labels':{'a':'b','kubevirt.io/nodeName':'n2'}},'spec':{'domain':{'memory':{'guest':'1Gi'}}}} | FieldValueNotSupported: modification of the following reserved kubevirt.io/ labels on a VMI object is prohibited
        user drops a reserved label        | alice                                               | {'metadata':{'labels':{'a':'b'}},'spec':{'domain':{'memory':{'guest':'1Gi'}}}} | FieldValueNotSupported: modification of the following reserved kubevirt.io/ labels on a VMI object is prohibited
        controller changes the spec        | system:serviceaccount:kubevirt:kubevirt-controller  | {'metadata':{'labels':{'kubevirt.io/nodeName':'n2'}},'spec':{}} | ``
        node agent changes a reserved label| system:serviceaccount:kubevirt:kubevirt-handler     | {'metadata':{'labels':{'kubevirt.io/nodeName':'n2'}},'spec':{'domain':{'memory':{'guest':'1Gi'}}}} | ``
        a subresource of the API server    | system:serviceaccount:kubevirt:kubevirt-apiserver   | {'metadata':{},'spec':{'terminationGracePeriodSeconds':0}} | ``
        another namespace's kubevirt-controller | system:serviceaccount:other:kubevirt-controller | {'metadata':{},'spec':{}} | FieldValueNotSupported: update of VMI object is restricted
        """)
    void rules(String rule, String user, String object, String expected) throws Exception {
        ObjectNode old = (ObjectNode) JSON.readTree(OLD.replace('\'', '"'));
        ObjectNode next = (ObjectNode) JSON.readTree(object.replace('\'', '"'));
        List<Cause> causes = new VmiUpdateRules().validate(new AdmissionRequest(Operation.UPDATE, VmiSpecRulesTest.type("VirtualMachineInstance"),
                null, next, old, user, false));
        assertEquals(expected == null ? "" : expected, String.join(";", causes.stream().map(c -> c.reason() + ": " + c.message()).toList()));
    }
}
