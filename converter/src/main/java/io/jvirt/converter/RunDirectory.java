package io.jvirt.converter;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The private per-VMI directory (mode 0700) that holds the launcher's and QEMU's sockets and
 * per-VMI files. The names are fixed so the node agent finds them.
 */
public record RunDirectory(Path path) {
    /** The longest unix socket path Linux accepts (sun_path is 108 bytes with the terminating NUL). */
    public static final int MAX_SOCKET_PATH = 107;

    public RunDirectory {
        Objects.requireNonNull(path, "path");
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw new IllegalArgumentException("run directory must be an absolute, normalized path: " + path);
        }
        if (path.resolve("launcher.sock").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("run directory " + path + " is too long: unix socket paths in it would exceed "
                    + MAX_SOCKET_PATH + " bytes");
        }
    }

    /** QEMU's QMP monitor socket. */
    public Path qmpSocket() {
        return path.resolve("qmp.sock");
    }

    /** The serial console socket (one client at a time). */
    public Path serialSocket() {
        return path.resolve("serial.sock");
    }

    /** Everything the guest wrote to the serial console, for {@code kubectl logs}-style access. */
    public Path serialLog() {
        return path.resolve("serial.log");
    }

    /** The VNC server socket. */
    public Path vncSocket() {
        return path.resolve("vnc.sock");
    }

    /** The socket the node agent talks to the launcher on. */
    public Path launcherSocket() {
        return path.resolve("launcher.sock");
    }

    /** This VMI's writable copy of the UEFI variable store. */
    public Path efiVars() {
        return path.resolve("efi-vars.fd");
    }

    /** Where the launcher writes the cloud-init ISO of {@code volumeName}. */
    public Path cloudInitIso(String volumeName) {
        return path.resolve("cloudinit-" + volumeName + ".iso");
    }
}
