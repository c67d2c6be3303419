package io.jvirt.converter;

/**
 * The unprivileged user QEMU runs as. QEMU's own {@code -runas} cannot be used: its set*id calls
 * are killed by {@code -sandbox elevateprivileges=deny}; so QEMU is exec'ed through util-linux
 * {@code setpriv} with the ids, no supplementary groups, no-new-privs, and no capabilities left in
 * any set (inheritable and bounding emptied; changing the uid from 0 clears the others).
 *
 * @param uid numeric user id (not 0)
 * @param gid numeric group id (not 0)
 */
public record RunAs(int uid, int gid) {
    public RunAs {
        if (uid <= 0 || gid <= 0) {
            throw new IllegalArgumentException("QEMU must not run as root: uid " + uid + ", gid " + gid);
        }
    }

    /** Parses {@code "<uid>:<gid>"} ({@link io.jvirt.qemu.img.Unprivileged#parse}: the same user runs the image tools). */
    public static RunAs parse(String text) {
        io.jvirt.qemu.img.Unprivileged user = io.jvirt.qemu.img.Unprivileged.parse(text);
        return new RunAs(user.uid(), user.gid());
    }

    /** The words to put before QEMU's argv. */
    public java.util.List<String> commandPrefix() {
        return java.util.List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--no-new-privs",
                "--inh-caps=-all", "--bounding-set=-all");
    }

    /**
     * True when this process's effective uid is 0 ({@code /proc/self/status}): then QEMU must be given a
     * {@code RunAs}, it never runs as root.
     */
    public static boolean launcherIsRoot() throws java.io.IOException {
        return io.jvirt.qemu.img.Unprivileged.callerIsRoot();
    }
}
