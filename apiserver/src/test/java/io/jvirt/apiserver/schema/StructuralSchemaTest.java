package io.jvirt.apiserver.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Cause;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StructuralSchemaTest {
    static final ObjectMapper M = new ObjectMapper();
    static final String SCHEMA = """
            {'type':'object','properties':{
              'spec':{'type':'object','required':['name'],'properties':{
                'name':{'type':'string','maxLength':5},
                'size':{'type':'integer','default':1,'minimum':0},
                'mode':{'type':'string','enum':['a','b']},
                'port':{'x-kubernetes-int-or-string':true},
                'tags':{'type':'array','items':{'type':'object','properties':{'k':{'type':'string'}}}},
                'labels':{'type':'object','additionalProperties':{'type':'string'}},
                'free':{'type':'object','x-kubernetes-preserve-unknown-fields':true},
                'tpl':{'type':'object','x-kubernetes-embedded-resource':true,'properties':{'spec':{'type':'object'}}}}}}}
            """;

    static JsonNode j(String s) throws Exception {
        return M.readTree(s.replace('\'', '"'));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{'spec':{'name':'x'}}                             | {'spec':{'name':'x','size':1}}                            | ''                     | ''",
        "{'spec':{'name':'x','size':3,'junk':1}}           | {'spec':{'name':'x','size':3}}                            | ''                     | spec.junk",
        "{'spec':{'name':'x','tags':[{'k':'a','z':1}]}}    | {'spec':{'name':'x','size':1,'tags':[{'k':'a'}]}}         | ''                     | spec.tags[0].z",
        "{'spec':{'name':'x','free':{'any':{'thing':1}}}}  | {'spec':{'name':'x','size':1,'free':{'any':{'thing':1}}}} | ''                     | ''",
        "{'spec':{'name':'x','labels':{'a':'b'}}}          | {'spec':{'name':'x','size':1,'labels':{'a':'b'}}}         | ''                     | ''",
        "{'spec':{'name':'x','tpl':{'metadata':{'name':'n'},'spec':{}}}} | {'spec':{'name':'x','size':1,'tpl':{'metadata':{'name':'n'},'spec':{}}}} | '' | ''",
        "{'spec':{'name':'x','port':'http'}}               | {'spec':{'name':'x','size':1,'port':'http'}}              | ''                     | ''",
        "{'spec':{}}                                       | {'spec':{'size':1}}                                       | spec.name              | ''",
        "{'spec':{'name':1}}                               | {'spec':{'name':1,'size':1}}                              | spec.name              | ''",
        "{'spec':{'name':'toolong'}}                       | {'spec':{'name':'toolong','size':1}}                      | spec.name              | ''",
        "{'spec':{'name':'x','size':-1}}                   | {'spec':{'name':'x','size':-1}}                           | spec.size              | ''",
        "{'spec':{'name':'x','mode':'c'}}                  | {'spec':{'name':'x','size':1,'mode':'c'}}                 | spec.mode              | ''",
        "{'spec':{'name':'x','port':true}}                 | {'spec':{'name':'x','size':1,'port':true}}                | spec.port              | ''",
        "{'spec':{'name':'x','labels':{'a':1}}}            | {'spec':{'name':'x','size':1,'labels':{'a':1}}}           | spec.labels.a          | ''",
        "{'spec':{'name':'x','tags':'no'}}                 | {'spec':{'name':'x','size':1,'tags':'no'}}                | spec.tags              | ''",
    })
    void defaultsPrunesAndValidates(String input, String expected, String errorField, String prunedField) throws Exception {
        ObjectNode object = (ObjectNode) j(input);
        SchemaOutcome out = StructuralSchema.apply(j(SCHEMA), object);
        assertEquals(j(expected), object);
        assertEquals(errorField.isEmpty() ? List.of() : List.of(errorField), out.errors().stream().map(Cause::field).toList());
        assertEquals(prunedField.isEmpty() ? List.of() : List.of(prunedField), out.unknownFields());
    }
}
