package io.jvirt.launcher;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A launcher started before its VMI exists, {@code LauncherMain --standby WARMDIR}: it warms up on
 * the training VMI (Jackson's deserializers for the VMI model, preparation and conversion: most of
 * a launcher's start under the interpreter) without starting QEMU, then waits for its claim. The
 * node agent claims it by renaming the standby's pod directory (this process's working directory)
 * to the pod's, and writing there a file {@value #CLAIM_FILE} that holds the path of the launch
 * request. The wait is an inotify watch on the working directory, which follows the rename; the
 * standby uses no CPU while it waits.
 */
final class Standby {
    static final String CLAIM_FILE = "claim";

    private Standby() {}

    /** Warms up in {@code warmDir} (deleted afterwards), then blocks until claimed; returns the launch request's path. */
    static Path awaitClaim(Path warmDir) throws IOException, InterruptedException {
        Path cwd = Path.of("."); // relative: the kernel resolves it, so it holds even when the directory was renamed already
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            cwd.register(watcher, StandardWatchEventKinds.ENTRY_CREATE); // before warming up: a claim may come early
            warmUp(warmDir);
            Path claim = Path.of(CLAIM_FILE); // relative: the directory may have been renamed meanwhile
            while (!Files.exists(claim)) {
                java.nio.file.WatchKey key = watcher.take();
                key.pollEvents();
                key.reset(); // the watch follows the directory's inode across the rename
            }
            return Path.of(Files.readString(claim).strip());
        }
    }

    private static void warmUp(Path warmDir) throws IOException, InterruptedException {
        try {
            LauncherMain.prepare(Training.writeRequest(warmDir));
        } catch (io.jvirt.converter.ConversionException e) {
            throw new IOException("warming up on the training VMI failed: " + e.getMessage(), e);
        } finally {
            deleteTree(warmDir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
