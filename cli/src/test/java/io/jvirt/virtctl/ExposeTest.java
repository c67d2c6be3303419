package io.jvirt.virtctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExposeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A scheduled VMI carries kubevirt.io/nodeName, its launcher pod (made before) does not: the selector leaves it out. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'app':'web','kubevirt.io/nodeName':'node-a'} | {'app':'web'}",
        "{'app':'web'}                                 | {'app':'web'}",
        "{'kubevirt.io/nodeName':'node-a'}             | {}",
    })
    void aVmiSelectsItsLauncherPodByItsLabelsButTheNodeName(String labels, String selector) throws Exception {
        assertEquals(JSON.readTree(selector.replace('\'', '"')), Expose.selector(JSON.readTree(labels.replace('\'', '"'))));
    }
}
