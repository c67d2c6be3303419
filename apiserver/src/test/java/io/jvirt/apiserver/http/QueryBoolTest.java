package io.jvirt.apiserver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryBoolTest {
    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(nullValues = "ABSENT", value = {
        "true,true", "True,true", "TRUE,true", "1,true", "t,true", "yes,true", "'',true",
        "false,false", "False,false", "FALSE,false", "0,false", "ABSENT,false",
    })
    void readsBooleansAsKubeApiserver(String raw, boolean expected) {
        assertEquals(expected, QueryBool.parse(raw));
    }
}
