package io.jvirt.apiserver.selection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.apiserver.http.ApiException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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

    @ParameterizedTest
    @ValueSource(strings = {"a in b", "a notin x", "a b c", "=x"})
    void malformedSelectorsAreBadRequests(String selector) {
        assertEquals(400, assertThrows(ApiException.class, () -> {
            LabelSelector.parse(selector);
            FieldSelector.parse(selector);
        }).code());
    }
}
