package io.jvirt.apiserver.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PatchTest {
    static final ObjectMapper M = new ObjectMapper();

    static JsonNode j(String s) throws Exception {
        return M.readTree(s.replace('\'', '"'));
    }

    @ParameterizedTest(name = "merge {1} onto {0}")
    @CsvSource(delimiter = '|', value = {
        "{'a':1,'b':{'c':2}}       | {'b':{'d':3}}          | {'a':1,'b':{'c':2,'d':3}}",
        "{'a':1,'b':2}             | {'a':null}             | {'b':2}",
        "{'l':[1,2,3]}             | {'l':[4]}              | {'l':[4]}",
        "{'a':{'b':1}}             | {'a':'x'}              | {'a':'x'}",
        "{}                        | {'a':{'b':null,'c':1}} | {'a':{'c':1}}",
    })
    void mergePatch(String target, String patch, String expected) throws Exception {
        assertEquals(j(expected), MergePatch.apply(j(target), j(patch)));
    }

    @ParameterizedTest(name = "strategic {1} onto {0}")
    @CsvSource(delimiter = '|', value = {
        "{'c':[{'name':'a','image':'x'},{'name':'b','image':'y'}]} | {'c':[{'name':'b','image':'z'}]}                 | {'c':[{'name':'a','image':'x'},{'name':'b','image':'z'}]}",
        "{'c':[{'name':'a','image':'x'}]}                          | {'c':[{'name':'n','image':'q'}]}                 | {'c':[{'name':'a','image':'x'},{'name':'n','image':'q'}]}",
        "{'c':[{'name':'a'},{'name':'b'}]}                         | {'c':[{'name':'a','$patch':'delete'}]}           | {'c':[{'name':'b'}]}",
        "{'c':[1,2]}                                               | {'$setElementOrder/c':[{'name':'a'}],'c':[3]}    | {'c':[3]}",
    })
    void strategicMerge(String target, String patch, String expected) throws Exception {
        assertEquals(j(expected), MergePatch.applyStrategic(j(target), j(patch)));
    }

    static final String PORTS_SCHEMA = "{'properties':{'spec':{'properties':{'ports':{'type':'array','x-kubernetes-patch-merge-key':'port','items':{'type':'object'}}}}}}";

    @ParameterizedTest(name = "strategic with schema {1} onto {0}")
    @CsvSource(delimiter = '|', value = {
        "{'spec':{'ports':[{'port':80,'name':'a'}]}}                 | {'spec':{'ports':[{'port':81,'name':'a'},{'$patch':'delete','port':80}]}} | {'spec':{'ports':[{'port':81,'name':'a'}]}}",
        "{'spec':{'ports':[{'port':80,'t':1},{'port':90}]}}          | {'spec':{'ports':[{'port':80,'t':2}]}}                                   | {'spec':{'ports':[{'port':80,'t':2},{'port':90}]}}",
        "{'spec':{'ports':[{'port':80},{'port':90}]}}                | {'spec':{'ports':[{'$patch':'replace'},{'port':1}]}}                      | {'spec':{'ports':[{'port':1}]}}",
        "{'metadata':{'finalizers':['a','b','c']}}                   | {'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}}               | {'metadata':{'finalizers':['a','c']}}",
        "{'spec':{'x':{'a':1,'b':2}}}                                | {'spec':{'x':{'$patch':'replace','c':3}}}                                 | {'spec':{'x':{'c':3}}}",
        "{'spec':{'x':{'a':1},'y':1}}                                | {'spec':{'x':{'$patch':'delete'}}}                                        | {'spec':{'y':1}}",
    })
    void strategicMergeWithSchema(String target, String patch, String expected) throws Exception {
        assertEquals(j(expected), MergePatch.applyStrategic(j(target), j(patch), j(PORTS_SCHEMA)));
    }

    @ParameterizedTest(name = "json patch {1}")
    @CsvSource(delimiter = '|', value = {
        "{'a':1}               | [{'op':'add','path':'/b','value':2}]                 | {'a':1,'b':2}",
        "{'a':[1,2]}           | [{'op':'add','path':'/a/1','value':9}]               | {'a':[1,9,2]}",
        "{'a':[1,2]}           | [{'op':'add','path':'/a/-','value':9}]               | {'a':[1,2,9]}",
        "{'a':1,'b':2}         | [{'op':'remove','path':'/a'}]                        | {'b':2}",
        "{'a':1}               | [{'op':'replace','path':'/a','value':5}]             | {'a':5}",
        "{'a':{'x':1}}         | [{'op':'move','from':'/a/x','path':'/y'}]            | {'a':{},'y':1}",
        "{'a':1}               | [{'op':'copy','from':'/a','path':'/b'}]              | {'a':1,'b':1}",
        "{'a':1}               | [{'op':'test','path':'/a','value':1},{'op':'add','path':'/t','value':true}] | {'a':1,'t':true}",
        "{'m':{'a/b':1,'c~d':2}} | [{'op':'remove','path':'/m/a~1b'},{'op':'remove','path':'/m/c~0d'}] | {'m':{}}",
    })
    void jsonPatch(String target, String patch, String expected) throws Exception {
        assertEquals(j(expected), JsonPatch.apply(j(target), j(patch)));
    }

    @ParameterizedTest(name = "json patch {1} fails with {2}")
    @CsvSource(delimiter = '|', value = {
        "{'a':1} | [{'op':'remove','path':'/b'}]               | 422",
        "{'a':1} | [{'op':'replace','path':'/b','value':1}]    | 422",
        "{'a':1} | [{'op':'test','path':'/a','value':2}]       | 422",
        "{'a':1} | [{'op':'jump','path':'/a'}]                 | 400",
        "{'a':1} | {'op':'add'}                                | 400",
        "{'a':1} | [{'op':'add','path':'/b'}]                  | 400",
    })
    void badJsonPatch(String target, String patch, int code) throws Exception {
        assertEquals(code, assertThrows(ApiException.class, () -> JsonPatch.apply(j(target), j(patch))).code());
    }

    @ParameterizedTest(name = "apply {1} after {2}")
    @CsvSource(delimiter = '|', value = {
        "{'spec':{'a':1,'b':2,'other':0}} | {'spec':{'a':1,'b':2}}  | {'spec':{'a':5}}        | {'spec':{'a':5,'other':0}}",
        "{'spec':{'l':[{'name':'x','v':1},{'name':'y','v':2}]}} | {'spec':{'l':[{'name':'x','v':1},{'name':'y','v':2}]}} | {'spec':{'l':[{'name':'x','v':3}]}} | {'spec':{'l':[{'name':'x','v':3}]}}",
        "{'metadata':{'labels':{'a':'1','b':'2'}}} | {'metadata':{'labels':{'a':'1','b':'2'}}} | {'metadata':{'labels':{'a':'1'}}} | {'metadata':{'labels':{'a':'1'}}}",
    })
    void serverSideApplyRemovesWhatTheManagerNoLongerApplies(String live, String first, String second, String expected) throws Exception {
        ObjectNode afterFirst = ServerSideApply.apply((ObjectNode) j(live), (ObjectNode) j(first), "m", "v1", false);
        ObjectNode afterSecond = ServerSideApply.apply(afterFirst, (ObjectNode) j(second), "m", "v1", false);
        ObjectNode withoutManaged = afterSecond.deepCopy();
        withoutManaged.withObjectProperty("metadata").remove("managedFields");
        if (withoutManaged.get("metadata").isEmpty()) withoutManaged.remove("metadata");
        assertEquals(j(expected), withoutManaged);
        assertEquals("m", afterSecond.path("metadata").path("managedFields").get(0).path("manager").asText());
        assertEquals(1, afterSecond.path("metadata").path("managedFields").size());
    }

    @ParameterizedTest(name = "m1 applies {0}, m2 applies {1}")
    @CsvSource(delimiter = '|', value = {
        "{'spec':{'x':1}}                        | {'spec':{'x':2}}                        | Apply failed with 1 conflict: conflict with \"m1\": .spec.x",
        "{'spec':{'x':1}}                        | {'spec':{'x':1}}                        | ",
        "{'spec':{'x':1}}                        | {'spec':{'y':1}}                        | ",
        "{'spec':{'l':[{'name':'a','v':1}]}}     | {'spec':{'l':[{'name':'a','v':2}]}}     | Apply failed with 1 conflict: conflict with \"m1\": .spec.l[name=\"a\"].v",
        "{'spec':{'x':1,'y':1}}                  | {'spec':{'x':2,'y':2}}                  | Apply failed with 2 conflicts: conflicts with \"m1\":\\n- .spec.x\\n- .spec.y",
    })
    void serverSideApplyConflictsWithAnotherManager(String first, String second, String message) throws Exception {
        ObjectNode afterFirst = ServerSideApply.apply(M.createObjectNode(), (ObjectNode) j(first), "m1", "v1", false);
        if (message == null) {
            ObjectNode after = ServerSideApply.apply(afterFirst, (ObjectNode) j(second), "m2", "v1", false);
            assertEquals(2, after.path("metadata").path("managedFields").size(), "both managers own fields");
            return;
        }
        ApiException e = assertThrows(ApiException.class, () -> ServerSideApply.apply(afterFirst, (ObjectNode) j(second), "m2", "v1", false));
        assertEquals(409, e.code());
        assertEquals("Conflict", e.reason());
        assertEquals(message.replace("\\n", "\n"), e.getMessage());
        assertEquals("FieldManagerConflict", e.causes().get(0).reason());
        ObjectNode forced = ServerSideApply.apply(afterFirst, (ObjectNode) j(second), "m2", "v1", true);
        ObjectNode expected = (ObjectNode) j(second);
        ObjectNode spec = forced.get("spec").deepCopy();
        assertEquals(expected.get("spec"), spec, "the forced apply wins");
        ServerSideApply.apply(forced, (ObjectNode) j(second), "m2", "v1", false);
        ApiException back = assertThrows(ApiException.class, () -> ServerSideApply.apply(forced, (ObjectNode) j(first), "m1", "v1", false));
        assertEquals(message.replace("\\n", "\n").replace("m1", "m2"), back.getMessage(), "the fields moved to m2");
    }
}
