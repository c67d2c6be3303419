package io.jvirt.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deletes a benchmark's temp directory with everything in it. */
final class TempTree {
    private TempTree() {
    }

    /** Best effort: what cannot be deleted stays; never throws. */
    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone, or unreadable: nothing more to do
        }
    }
}
