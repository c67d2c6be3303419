package io.jvirt.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real tmpfs of a fixed size mounted on a directory (needs root), for disk-full tests: {@link #close()}
 * unmounts it (lazily if still busy), so the mount never outlives the test.
 */
public final class Tmpfs implements AutoCloseable {

    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code kib} KiB on {@code mountPoint} (created if missing), mode 0700. */
    public static Tmpfs mount(Path mountPoint, int kib) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k,mode=0700", "jvirt-test-tmpfs", mountPoint.toString());
        return new Tmpfs(mountPoint);
    }

    public Path path() {
        return mountPoint;
    }

    /**
     * Writes {@code name} with zeros until the file system refuses more: afterwards the disk is full, and
     * deleting the file frees the space again.
     */
    public Path fill(String name) throws IOException {
        Path filler = mountPoint.resolve(name);
        byte[] block = new byte[4096];
        try (var out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left on device")) {
                throw full;
            }
        }
        return filler;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (exit("umount", mountPoint.toString()) != 0) {
            run("umount", "-l", mountPoint.toString());
        }
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        int exit = exit(argv);
        if (exit != 0) {
            throw new IOException(String.join(" ", argv) + " exited " + exit);
        }
    }

    private static int exit(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " did not finish: " + out);
        }
        if (p.exitValue() != 0) {
            System.getLogger(Tmpfs.class.getName()).log(System.Logger.Level.WARNING, String.join(" ", argv) + ": " + out.strip());
        }
        return p.exitValue();
    }
}
