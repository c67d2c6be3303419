package io.jvirt.qemu.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoding of {@code qemu-img info --output=json} as qemu-img 7.2 prints it (samples trimmed). */
class ImageInfoTest {
    private static final Path IMAGE = Path.of("/vm/disk.img");

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("raw", """
                        {"virtual-size": 1048576, "filename": "/vm/disk.img", "format": "raw", "actual-size": 4096, "dirty-flag": false}
                        """, new ImageInfo(IMAGE, ImageFormat.RAW, 1048576, 4096, null, null, null, List.of())),
                Arguments.of("qcow2 overlay", """
                        {"backing-filename-format": "raw", "virtual-size": 1536, "filename": "/vm/disk.img", "cluster-size": 65536,
                         "format": "qcow2", "actual-size": 200704,
                         "format-specific": {"type": "qcow2", "data": {"compat": "1.1", "corrupt": false}},
                         "full-backing-filename": "/etc/passwd", "backing-filename": "/etc/passwd", "dirty-flag": false}
                        """, new ImageInfo(IMAGE, ImageFormat.QCOW2, 1536, 200704, "/etc/passwd", "raw", null, List.of())),
                Arguments.of("qcow2 backing without format", """
                        {"virtual-size": 10, "filename": "/vm/disk.img", "format": "qcow2", "actual-size": 1,
                         "backing-filename": "base.img"}
                        """, new ImageInfo(IMAGE, ImageFormat.QCOW2, 10, 1, "base.img", null, null, List.of())),
                Arguments.of("qcow2 external data file", """
                        {"virtual-size": 1048576, "filename": "/vm/disk.img", "format": "qcow2", "actual-size": 200704,
                         "format-specific": {"type": "qcow2", "data": {"data-file": "/tmp/data.raw", "data-file-raw": false}}}
                        """, new ImageInfo(IMAGE, ImageFormat.QCOW2, 1048576, 200704, null, null, "/tmp/data.raw", List.of())),
                Arguments.of("vmdk extent in itself is not external", """
                        {"virtual-size": 1048576, "filename": "/vm/disk.img", "format": "vmdk", "actual-size": 12288,
                         "format-specific": {"type": "vmdk", "data": {"extents": [{"filename": "/vm/disk.img", "format": ""}]}}}
                        """, new ImageInfo(IMAGE, ImageFormat.VMDK, 1048576, 12288, null, null, null, List.of())),
                Arguments.of("vmdk extents elsewhere", """
                        {"virtual-size": 2048, "filename": "/vm/disk.img", "format": "vmdk", "actual-size": 12288,
                         "format-specific": {"type": "vmdk", "data": {"extents": [
                           {"filename": "/etc/passwd", "format": "FLAT"}, {"filename": "/etc/shadow", "format": "FLAT"}]}}}
                        """, new ImageInfo(IMAGE, ImageFormat.VMDK, 2048, 12288, null, null, null, List.of("/etc/passwd", "/etc/shadow"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void decodes(String name, String json, ImageInfo expected) throws Exception {
        ImageInfo info = ImageInfo.fromJson(IMAGE, new ObjectMapper().readTree(json));
        assertEquals(expected, info);
        assertEquals(expected.backingFile() != null || expected.dataFile() != null || !expected.externalExtents().isEmpty(),
                info.refersToOtherFiles());
    }
}
