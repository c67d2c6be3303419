package io.jvirt.converter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Paths from the spec and the handover: string rules, then the real file system (symlinks, types). */
class PathValidationTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
        relative/path        | must be absolute
        /boot/../etc/shadow  | must not contain '..'
        /boot/./vmlinuz      | must not contain '.'
        /boot//vmlinuz       | empty segments
        /boot/vmlinuz/       | empty segments
        ''                   | required
        """)
    void unsafeSpecPathsAreRefused(String path, String message) {
        ConversionException e = assertThrows(ConversionException.class, () -> SpecPaths.requireSafeAbsolute("f", path));
        assertTrue(e.getMessage().startsWith("f: ") && e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void controlCharactersAreRefused() {
        assertThrows(ConversionException.class, () -> SpecPaths.requireSafeAbsolute("f", "/boot/vm\nlinuz"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/boot/vmlinuz", "/a", "/var/lib/jvirt/disk-1.img"})
    void safePathsPass(String path) {
        assertEquals(Path.of(path), SpecPaths.requireSafeAbsolute("f", path));
    }

    @Test
    void runDirectoryTooLongForUnixSocketsIsRefused() {
        Path deep = Path.of("/tmp/" + "d".repeat(95));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RunDirectory(deep));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
        assertEquals(Path.of("/run/jvirt/" + "d".repeat(36)), new RunDirectory(Path.of("/run/jvirt/" + "d".repeat(36))).path());
    }

    @Test
    void regularFilePasses() throws Exception {
        Path f = Files.writeString(tmp.resolve("disk.img"), "x");
        HandoverValidator.requireFile("volume d", f, false);
    }

    @Test
    void symlinkedFileIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("disk.img"), Path.of("/etc/passwd"));
        ConversionException e = assertThrows(ConversionException.class, () -> HandoverValidator.requireFile("volume d", link, false));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void symlinkedDirectoryOnTheWayIsRefused() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Files.writeString(real.resolve("disk.img"), "x");
        Path linkDir = Files.createSymbolicLink(tmp.resolve("linked"), real);
        ConversionException e = assertThrows(ConversionException.class,
                () -> HandoverValidator.requireFile("volume d", linkDir.resolve("disk.img"), false));
        assertTrue(e.getMessage().contains("symbolic link at " + linkDir), e.getMessage());
    }

    @Test
    void missingFileAndDirectoryAreRefused() throws Exception {
        assertThrows(ConversionException.class, () -> HandoverValidator.requireFile("v", tmp.resolve("none"), false));
        ConversionException e = assertThrows(ConversionException.class, () -> HandoverValidator.requireFile("v", tmp, false));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        ConversionException b = assertThrows(ConversionException.class,
                () -> HandoverValidator.requireFile("v", Files.writeString(tmp.resolve("f"), "x"), true));
        assertTrue(b.getMessage().contains("not a block device"), b.getMessage());
    }
}
