package io.jvirt.apiserver.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.apiserver.http.Cause;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** kube-apiserver's rules for the core kinds: one row per rule, with its field path, cause type and message. */
class CoreValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POD = "{'spec':{'containers':[{'name':'c','image':'i'}]}}";

    private static JsonNode json(String text) throws Exception {
        return text == null ? null : JSON.readTree(text.replace('\'', '"'));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        Pod       | valid                        | {'spec':{'containers':[{'name':'c','image':'i','ports':[{'containerPort':80}],'resources':{'requests':{'cpu':'1'},'limits':{'cpu':'2'}},'volumeMounts':[{'name':'v','mountPath':'/v'}]}],'volumes':[{'name':'v','emptyDir':{}}],'restartPolicy':'Never'}} | ``
        Pod       | no containers                | {'spec':{}}                                                             | FieldValueRequired spec.containers: Required value
        Pod       | container without name       | {'spec':{'containers':[{'image':'i'}]}}                                  | FieldValueRequired spec.containers[0].name: Required value
        Pod       | container name not a label   | {'spec':{'containers':[{'name':'C_1','image':'i'}]}}                    | FieldValueInvalid spec.containers[0].name: Invalid value: "C_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')
        Pod       | duplicate container names    | {'spec':{'initContainers':[{'name':'c','image':'i'}],'containers':[{'name':'c','image':'i'}]}} | FieldValueDuplicate spec.containers[0].name: Duplicate value: "c"
        Pod       | no image                     | {'spec':{'containers':[{'name':'c'}]}}                                   | FieldValueRequired spec.containers[0].image: Required value
        Pod       | port 0                       | {'spec':{'containers':[{'name':'c','image':'i','ports':[{'containerPort':0}]}]}} | FieldValueRequired spec.containers[0].ports[0].containerPort: Required value
        Pod       | port too big                 | {'spec':{'containers':[{'name':'c','image':'i','ports':[{'containerPort':70000,'protocol':'ICMP'}]}]}} | FieldValueInvalid spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive;FieldValueNotSupported spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"
        Pod       | env name starts with digit   | {'spec':{'containers':[{'name':'c','image':'i','env':[{'name':'1A'}]}]}} | FieldValueInvalid spec.containers[0].env[0].name: Invalid value: "1A": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')
        Pod       | negative memory              | {'spec':{'containers':[{'name':'c','image':'i','resources':{'limits':{'memory':'-1'}}}]}} | FieldValueInvalid spec.containers[0].resources.limits[memory]: Invalid value: "-1": must be greater than or equal to 0
        Pod       | request above limit          | {'spec':{'containers':[{'name':'c','image':'i','resources':{'requests':{'cpu':'2'},'limits':{'cpu':'1'}}}]}} | FieldValueInvalid spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1
        Pod       | mount of unknown volume      | {'spec':{'containers':[{'name':'c','image':'i','volumeMounts':[{'name':'v'}]}]}} | FieldValueNotFound spec.containers[0].volumeMounts[0].name: Not found: "v";FieldValueRequired spec.containers[0].volumeMounts[0].mountPath: Required value
        Pod       | duplicate volumes            | {'spec':{'containers':[{'name':'c','image':'i'}],'volumes':[{'name':'v'},{'name':'v'}]}} | FieldValueDuplicate spec.volumes[1].name: Duplicate value: "v"
        Pod       | restart policy               | {'spec':{'containers':[{'name':'c','image':'i'}],'restartPolicy':'Sometimes'}} | FieldValueNotSupported spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"
        Service   | valid                        | {'spec':{'ports':[{'name':'http','port':80,'targetPort':'web'},{'name':'https','port':443,'targetPort':8443}],'selector':{'app':'x'}}} | ``
        Service   | headless without ports       | {'spec':{'clusterIP':'None'}}                                             | ``
        Service   | no ports                     | {'spec':{'type':'ClusterIP'}}                                             | FieldValueRequired spec.ports: Required value
        Service   | unknown type                 | {'spec':{'type':'Magic','ports':[{'port':1}]}}                            | FieldValueNotSupported spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"
        Service   | two ports, one unnamed       | {'spec':{'ports':[{'port':1},{'name':'b','port':2}]}}                      | FieldValueRequired spec.ports[0].name: Required value
        Service   | port 0                       | {'spec':{'ports':[{'port':0}]}}                                            | FieldValueInvalid spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive
        Service   | target port name             | {'spec':{'ports':[{'port':1,'targetPort':'web--x'}]}}                      | FieldValueInvalid spec.ports[0].targetPort: Invalid value: "web--x": must not contain consecutive hyphens
        ConfigMap | valid                        | {'data':{'a.b':'x','C_D-1':'y'},'binaryData':{'e':'AA=='}}                 | ``
        ConfigMap | key with slash               | {'data':{'a/b':'x'}}                                                       | FieldValueInvalid data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')
        ConfigMap | key ..                       | {'data':{'..':'x'}}                                                        | FieldValueInvalid data[..]: Invalid value: "..": must not be '..'
        ConfigMap | key in data and binaryData   | {'data':{'k':'x'},'binaryData':{'k':'AA=='}}                               | FieldValueInvalid data[k]: Invalid value: "k": duplicate of key present in binaryData
        Secret    | valid tls                    | {'type':'kubernetes.io/tls','data':{'tls.crt':'AA==','tls.key':'AA=='}}    | ``
        Secret    | tls without key              | {'type':'kubernetes.io/tls','data':{'tls.crt':'AA=='}}                     | FieldValueRequired data[tls.key]: Required value
        Secret    | service account token        | {'type':'kubernetes.io/service-account-token'}                            | FieldValueRequired metadata.annotations[kubernetes.io/service-account.name]: Required value
        Secret    | bad key                      | {'data':{'a b':'AA=='}}                                                    | FieldValueInvalid data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')
        Node      | taint effect                 | {'spec':{'taints':[{'key':'k','effect':'Never'}]}}                          | FieldValueNotSupported spec.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"
        PersistentVolumeClaim | no access mode   | {'spec':{'resources':{'requests':{'storage':'1Gi'}}}}                      | FieldValueRequired spec.accessModes: Required value: at least 1 access mode is required
        """)
    void createRules(String kind, String rule, String object, String expected) throws Exception {
        assertEquals(expected == null ? "" : expected, show(CoreValidation.validate(kind, json(object), null)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        Secret    | type changed                 | {'type':'Opaque','data':{}}                     | {'type':'kubernetes.io/basic-auth','data':{'username':'AA=='}} | FieldValueInvalid type: Invalid value: "kubernetes.io/basic-auth": field is immutable
        Secret    | immutable data changed       | {'immutable':true,'data':{'a':'AA=='}}          | {'immutable':true,'data':{'a':'AQ=='}}                          | FieldValueForbidden data: Forbidden: field is immutable when `immutable` is set
        Secret    | immutable dropped            | {'immutable':true,'data':{'a':'AA=='}}          | {'data':{'a':'AA=='}}                                           | FieldValueForbidden immutable: Forbidden: field is immutable when `immutable` is set
        ConfigMap | immutable unchanged          | {'immutable':true,'data':{'a':'x'}}             | {'immutable':true,'data':{'a':'x'}}                             | ``
        ConfigMap | immutable binaryData changed | {'immutable':true,'binaryData':{'a':'AA=='}}    | {'immutable':true}                                              | FieldValueForbidden binaryData: Forbidden: field is immutable when `immutable` is set
        """)
    void updateRules(String kind, String rule, String old, String object, String expected) throws Exception {
        assertEquals(expected == null ? "" : expected, show(CoreValidation.validate(kind, json(object), json(old))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        Pod       | {'spec':{'containers':[{'resources':{'limits':{'memory':'lots'}}}]}} | quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
        Pod       | {'spec':{'containers':[{'resources':{'limits':{'memory':'1Ei'}}}]}}  | ``
        Node      | {'status':{'capacity':{'cpu':'2x'}}}                                  | quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
        Secret    | {'data':{'a':'not base64!'}}                                          | illegal base64 data at input byte 3
        Secret    | {'data':{'a':'aGk='}}                                                 | ``
        ConfigMap | {'binaryData':{'a':'%%'}}                                             | illegal base64 data at input byte 0
        """)
    void decodeErrors(String kind, String object, String expected) throws Exception {
        assertEquals(expected == null || expected.isEmpty() ? null : expected, CoreValidation.decodeError(kind, json(object)));
    }

    private static String show(List<Cause> causes) {
        return String.join(";", causes.stream().map(c -> c.reason() + " " + c.field() + ": " + c.message()).toList());
    }
}
