package io.jvirt.handler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** File checks the node agent's tests poll with: they never throw, a missing file reads as empty. */
public final class TestFiles {
    private TestFiles() {
    }

    /** The file's text, or "" when it cannot be read (not there yet, or gone). */
    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** True when the pods directory {@code dir} holds no pod's directory. */
    public static boolean noPodsIn(Path dir) {
        return isEmptyDir(dir);
    }

    /** True when {@code dir} has no entries or does not exist. */
    public static boolean isEmptyDir(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return true;
        }
    }
}
