package io.jvirt.controller.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.api.v1.VirtualMachineInstanceSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The claims a VMI uses, as pvc-protection and the launcher pod's volumes see them. */
class ClaimUsersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        {'name':'a','persistentVolumeClaim':{'claimName':'pvc-a'}}                      | pvc-a
        {'name':'a','dataVolume':{'name':'dv-a'}}                                        | dv-a
        {'name':'a','ephemeral':{'persistentVolumeClaim':{'claimName':'golden'}}}        | golden
        {'name':'a','containerDisk':{'image':'x'}}                                       | ''
        {'name':'a','configMap':{'name':'not-a-claim'}}                                  | ''
        """)
    void claimsOfEachVolumeKind(String volume, String claims) throws Exception {
        VirtualMachineInstanceSpec spec = JSON.readValue("{\"volumes\":[" + volume.replace('\'', '"') + "]}", VirtualMachineInstanceSpec.class);
        assertEquals(claims.isEmpty() ? List.of() : Arrays.asList(claims.split(",")), ClaimUsers.claimsOf(spec));
    }
}
