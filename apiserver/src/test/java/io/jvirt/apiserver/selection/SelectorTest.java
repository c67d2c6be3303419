package io.jvirt.apiserver.selection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.apiserver.http.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectorTest {
    static final JsonNode POD;

    static {
        try {
            POD = new ObjectMapper().readTree("{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"labels\":{\"app\":\"web\",\"tier\":\"front\"}},"
                    + "\"spec\":{\"nodeName\":\"n1\"},\"status\":{\"phase\":\"Running\"}}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "labels {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                       | true",
        "app=web                  | true",
        "app==web                 | true",
        "app=db                   | false",
        "app!=db                  | true",
        "app=web,tier=front       | true",
        "app=web,tier=back        | false",
        "app in (db, web)         | true",
        "app notin (web)          | false",
        "tier                     | true",
        "!tier                    | false",
        "missing                  | false",
        "!missing                 | true",
        "missing!=x               | true",
    })
    void labelSelector(String selector, boolean matches) {
        assertEquals(matches, LabelSelector.parse(selector).test(POD));
    }

    @ParameterizedTest(name = "fields {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "metadata.name=p                               | true",
        "metadata.name=q                               | false",
        "metadata.namespace=ns,metadata.name=p         | true",
        "status.phase=Running                          | true",
        "status.phase!=Running                         | false",
        "spec.nodeName==n1                             | true",
        "spec.nodeName=                                | false",
        "involvedObject.uid=                           | true",
    })
    void fieldSelector(String selector, boolean matches) {
        assertEquals(matches, FieldSelector.parse(selector).test(POD));
    }

    @ParameterizedTest(name = "labels {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "n>1                      | true",
        "n<1                      | false",
        "n,app in (in,web)        | true",
        "app in ()                | false",
        "!missing,app             | true",
    })
    void labelSelectorOperators(String selector, boolean matches) throws Exception {
        JsonNode pod = new ObjectMapper().readTree("{\"metadata\":{\"labels\":{\"app\":\"web\",\"n\":\"2\",\"tier\":\"x\"}}}");
        assertEquals(matches, LabelSelector.parse(selector).test(pod));
    }

    /** Each malformed selector gets 400 with apimachinery's parser message. */
    @ParameterizedTest(name = "labels {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        a in b        | unable to parse requirement: found 'b' expected: '('
        a notin (x    | unable to parse requirement: found '', expected: ',' or ')'
        a b c         | unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt
        =x            | found '=', expected: !, identifier, or 'end of string'
        a=b=c         | found '=', expected: ',' or 'end of string'
        a=b,          | found '', expected: identifier after ','
        a!b           | unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt
        !a=b          | found '=', expected: ',' or 'end of string'
        a/b/c=x       | unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')
        a=b c         | found 'c', expected: ',' or 'end of string'
        a=-b          | unable to parse requirement: values[0]: Invalid value: "-b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')
        a>b           | unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer
        a in (b c)    | unable to parse requirement: found 'c', expected: ',' or ')'
        """)
    void malformedLabelSelectorsAreBadRequests(String selector, String message) {
        ApiException e = assertThrows(ApiException.class, () -> LabelSelector.parse(selector));
        assertEquals(400, e.code());
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "fields {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        metadata.name             | invalid selector: 'metadata.name'; can't understand 'metadata.name'
        =x                        |
        metadata.name=a=b         | invalid field selector: unescaped character in value: 61
        metadata.name=a\\b        | invalid field selector: invalid escape sequence: \\b
        metadata.name=a\\         | invalid field selector: invalid escape sequence: \\
        """)
    void malformedFieldSelectorsAreBadRequests(String selector, String message) {
        ApiException e = assertThrows(ApiException.class, () -> FieldSelector.parse(selector));
        assertEquals(400, e.code());
        assertEquals(message == null ? "field label not supported: " : message, e.getMessage());
    }

    @Test
    void fieldSelectorValuesUnescape() throws Exception {
        JsonNode o = new ObjectMapper().readTree("{\"metadata\":{\"name\":\"a,b=c\"}}");
        assertTrue(FieldSelector.parse("metadata.name=a\\,b\\=c").test(o));
    }
}
