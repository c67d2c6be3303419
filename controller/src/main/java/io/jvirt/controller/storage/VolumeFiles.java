package io.jvirt.controller.storage;

import io.jvirt.api.storage.LocalVolumes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The files of local-path volumes under one root ({@code $JVIRT_HOME/volumes}, mode 0711: QEMU's user passes
 * through to the volume it was given, never lists the others). Each volume's directory is 0700 and its image
 * 0600, root's until the node hands it to QEMU. Thread-safe (the file system is the only state).
 */
public final class VolumeFiles {
    private final Path root;

    public VolumeFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The volume's directory ({@link LocalVolumes#directory}). */
    public Path directory(String pvName) {
        return LocalVolumes.directory(root, pvName);
    }

    /** The volume's image file ({@link LocalVolumes#image}). */
    public Path image(String pvName, boolean block) {
        return LocalVolumes.image(root, pvName, block);
    }

    /** Creates the volume's directory (idempotent); for a Block volume also its sparse image of {@code bytes}. */
    public Path create(String pvName, boolean block, long bytes) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Path dir = directory(pvName);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (block) {
            Path image = image(pvName, true);
            if (!Files.exists(image, LinkOption.NOFOLLOW_LINKS)) {
                sparse(image, bytes);
            }
        }
        return dir;
    }

    /**
     * Removes the volume's directory and everything in it (idempotent), after detaching the loop devices the node
     * attached to a Block volume's image.
     */
    public void delete(String pvName) throws IOException, InterruptedException {
        Path dir = directory(pvName);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Path block = image(pvName, true);
        if (Files.isRegularFile(block, LinkOption.NOFOLLOW_LINKS) && Files.exists(Path.of("/dev/loop-control"))) {
            for (String dev : losetup("--associated", block.toString(), "--noheadings", "--output", "NAME").lines().toList()) {
                losetup("--detach", dev.strip());
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String losetup(String... args) throws IOException, InterruptedException {
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("losetup"));
        argv.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", argv) + " exited " + p.exitValue() + ": " + out.strip());
        return out;
    }

    /** A new sparse file of {@code bytes} (0600): no block is allocated until written. */
    public static void sparse(Path file, long bytes) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(bytes);
        }
    }
}
