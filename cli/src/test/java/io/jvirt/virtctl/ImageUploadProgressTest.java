package io.jvirt.virtctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageUploadProgressTest {
    @ParameterizedTest(name = "{0} of {1} bytes after {2} ns")
    @CsvSource(delimiter = '|', textBlock = """
        0        | 10485760 | 1000000000 | ' 0.00 MiB / 10.00 MiB [----------------------------------------] 0.00% 0.00 MiB/s 1s'
        5242880  | 10485760 | 2000000000 | ' 5.00 MiB / 10.00 MiB [===================>--------------------] 50.00% 2.50 MiB/s 2s'
        10485760 | 10485760 | 4000000000 | ' 10.00 MiB / 10.00 MiB [========================================] 100.00% 2.50 MiB/s 4s'
        """)
    void drawsKubeVirtsBarWithThroughput(long sent, long total, long nanos, String expected) {
        assertEquals(expected, ImageUpload.Progress.line(sent, total, nanos));
    }
}
