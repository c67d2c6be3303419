package io.jvirt.handler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class DomainReadingTest {
    /** query-blockstats as QEMU 7.2 answers for jvirt's -blockdev/-device pairs (ids ua-<disk>), trimmed. */
    private static final String BLOCKSTATS = """
            [{"device":"","node-name":"drive0","qdev":"/machine/peripheral/ua-containerdisk/virtio-backend",
              "stats":{"rd_bytes":2048,"wr_bytes":512,"rd_operations":4,"wr_operations":1,"rd_total_time_ns":7000,
                       "wr_total_time_ns":3000,"flush_operations":2,"flush_total_time_ns":900}},
             {"device":"","node-name":"drive1","qdev":"/machine/peripheral/ua-cloudinitdisk","stats":{"rd_bytes":10}},
             {"device":"","node-name":"#block123","stats":{"rd_bytes":99}}]
            """;

    @Test
    void drivesAreTheVmisDisksByDeviceId() throws Exception {
        List<DomainReading.Drive> drives = DomainReading.drives(new ObjectMapper().readTree(BLOCKSTATS));
        assertEquals(List.of(new DomainReading.Drive("containerdisk", 2048, 512, 4, 1, 7000, 3000, 2, 900),
                new DomainReading.Drive("cloudinitdisk", 10, 0, 0, 0, 0, 0, 0, 0)), drives);
    }
}
