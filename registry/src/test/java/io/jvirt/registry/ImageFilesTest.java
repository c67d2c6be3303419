package io.jvirt.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageFilesTest {
    @TempDir
    Path tmp;

    private Map<String, String> extract(Path layout, String path) throws IOException {
        OciLayout source = new OciLayout(layout, null);
        Map<String, Path> files = ImageFiles.extract(source, source.resolve(), ImageFiles.diskFilter(path), tmp.resolve("staging"));
        Map<String, String> contents = new TreeMap<>();
        for (Map.Entry<String, Path> f : files.entrySet()) {
            contents.put(f.getKey(), Files.readString(f.getValue()));
        }
        return contents;
    }

    @Test
    void layersStackUpperFilesReplaceLowerAndWhiteoutsRemove() throws IOException {
        Path layout = new LayoutBuilder(tmp.resolve("img"))
                .layer(true, "disk/", "", "disk/a.img", "a1", "disk/b.qcow2", "b1", "disk/c.img", "c1", "etc/x", "x")
                .layer(false, "./disk/b.qcow2", "b2", "disk/.wh.a.img", "", "disk/sub/d.img", "d")
                .layer(true, "/disk/e.img", "e", "disk/c.img", null)
                .build();
        assertEquals(Map.of("disk/b.qcow2", "b2", "disk/e.img", "e"), extract(layout, null),
                "a whited out, c replaced by a symlink (never extracted), sub/ not directly under disk/, etc/ unwanted");
        assertEquals(Map.of("etc/x", "x"), extract(layout, "/etc/x"), "path names the file");
    }

    @Test
    void anOpaqueWhiteoutHidesTheLowerDirectory() throws IOException {
        Path layout = new LayoutBuilder(tmp.resolve("img"))
                .layer(true, "disk/a.img", "a")
                .layer(true, "disk/.wh..wh..opq", "", "disk/z.img", "z")
                .build();
        assertEquals(List.of("disk/z.img"), List.copyOf(extract(layout, null).keySet()));
    }

    @ParameterizedTest(name = "layer {0} gzip={1}")
    @CsvSource({"0, true", "1, false"})
    void aBlobThatDoesNotMatchItsDigestIsRefusedAndNothingIsLeft(int corrupt, boolean gzip) throws IOException {
        LayoutBuilder b = new LayoutBuilder(tmp.resolve("img")).layer(gzip, "disk/a.img", "aaaa").layer(gzip, "disk/b.img", "bbbb");
        Path layout = b.build();
        byte[] bytes = Files.readAllBytes(b.layerBlob(corrupt));
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(b.layerBlob(corrupt), bytes);
        ImageException e = assertThrows(ImageException.class, () -> extract(layout, null));
        assertEquals(ImageException.Kind.DIGEST_MISMATCH, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("staging")), "the staging directory is removed");
    }

    @Test
    void aBlobLongerThanItsDescriptorIsRefused() throws IOException {
        LayoutBuilder b = new LayoutBuilder(tmp.resolve("img")).layer(false, "disk/a.img", "aaaa");
        Path layout = b.build();
        Files.write(b.layerBlob(0), new byte[20480], java.nio.file.StandardOpenOption.APPEND);
        ImageException e = assertThrows(ImageException.class, () -> extract(layout, null));
        assertTrue(e.getMessage().contains("more than the"), e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            ./disk/a     | disk/a
            /disk/a      | disk/a
            disk/        | disk
            .            | -
            ../etc/x     | -
            disk/../x    | -
            disk//x      | -
            """)
    void namesAreNormalizedAndTraversalIgnored(String name, String normalized) {
        assertEquals(normalized, ImageFiles.normalize(name));
    }
}
