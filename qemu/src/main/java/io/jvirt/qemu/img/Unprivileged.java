package io.jvirt.qemu.img;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * How a tool that reads untrusted image data ({@code qemu-img}, {@code xz}) is run by a root process: as this
 * unprivileged user, the way QEMU is started. The argv {@link #argv} builds is
 * {@code env -i LC_ALL=C [MALLOC_ARENA_MAX=1 prlimit --as=… --cpu=…] unshare --net setpriv --reuid --regid --clear-groups --no-new-privs
 * --inh-caps=-all --bounding-set=-all <tool…>}: no inherited environment, the {@link Limits} (when any), a network
 * namespace of its own with only a loopback that is down, then the ids, no supplementary groups, no-new-privs and
 * no capability in any set. A hostile image that takes over the tool has the rights of this user and nothing else.
 *
 * <p>The tool reaches only what it is handed: a pipe, a file {@link #giveTo given} to it in a directory it can
 * search, or a private {@link #workDirectory} of its own; what it wrote is {@link #takeBack taken back} (root's, 0600)
 * before anyone else uses it. Pure apart from those three file operations.
 *
 * @param uid numeric user id (not 0)
 * @param gid numeric group id (not 0)
 */
public record Unprivileged(int uid, int gid) {
    /**
     * Resource limits of one tool process ({@code prlimit}): its address space in bytes and its CPU time in seconds
     * (0: no limit of that kind).
     */
    public record Limits(long addressSpaceBytes, long cpuSeconds) {
        /** None: a conversion or decompression whose work grows with the image. */
        public static final Limits NONE = new Limits(0, 0);
        /** CDI's (and OpenStack Nova's) limits for {@code qemu-img info}: 1 GiB of address space, 30 s of CPU. */
        public static final Limits IMAGE_INFO = new Limits(1L << 30, 30);
    }

    /** KubeVirt's qemu user, 107:107: the one QEMU runs as. */
    public static final Unprivileged QEMU = new Unprivileged(107, 107);

    public Unprivileged {
        if (uid <= 0 || gid <= 0) {
            throw new IllegalArgumentException("an image tool must not run as root: uid " + uid + ", gid " + gid);
        }
    }

    /** Parses {@code "<uid>:<gid>"}. */
    public static Unprivileged parse(String text) {
        String[] parts = text.split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected <uid>:<gid>, got '" + text + "'");
        }
        return new Unprivileged(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }

    /** The argv that runs {@code command} (an absolute path and its arguments) as this user under {@code limits}. */
    public List<String> argv(List<String> command, Limits limits) {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/env", "-i", "LC_ALL=C"));
        if (limits.addressSpaceBytes() > 0) {
            argv.add("MALLOC_ARENA_MAX=1"); // glibc reserves 64 MiB of address space per thread's arena: the limit would depend on timing
        }
        if (limits.addressSpaceBytes() > 0 || limits.cpuSeconds() > 0) {
            argv.add("/usr/bin/prlimit");
            if (limits.addressSpaceBytes() > 0) argv.add("--as=" + limits.addressSpaceBytes());
            if (limits.cpuSeconds() > 0) argv.add("--cpu=" + limits.cpuSeconds());
            argv.add("--");
        }
        argv.addAll(List.of("/usr/bin/unshare", "--net", "--", "/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid,
                "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"));
        argv.addAll(command);
        return argv;
    }

    /**
     * A new, empty directory {@code dir} (an existing one is removed first) of mode 0700 owned by this user: the tool
     * may create and read files there, nobody else but root may. Its parent must be searchable by the user.
     */
    public Path workDirectory(Path dir) throws IOException {
        deleteTree(dir);
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        giveTo(dir);
        return dir;
    }

    /** Makes {@code path} (never followed if a symbolic link) this user's. */
    public void giveTo(Path path) throws IOException {
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Makes a file the tool wrote root's again (mode 0600), after the tool ended.
     *
     * @throws IOException when {@code file} is not a regular file of one link (the tool put something else there)
     */
    public static void takeBack(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || (int) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) != 1) {
            throw new IOException("the image tool left no regular file at " + file);
        }
        Files.setAttribute(file, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(file, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /** Removes {@code dir} and everything in it, following no symbolic link; nothing when absent. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (var entries = Files.list(dir)) {
                for (Path p : entries.toList()) deleteTree(p);
            }
        }
        Files.delete(dir);
    }

    /** True when this process's effective uid is 0 ({@code /proc/self/status}): only then can it switch users. */
    public static boolean callerIsRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0");
            }
        }
        throw new IOException("no Uid line in /proc/self/status");
    }
}
