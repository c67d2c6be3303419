package io.jvirt.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A complete QEMU command line: the binary and its arguments, ready for {@link ProcessBuilder}.
 *
 * <p>Built with {@link #builder(Path)}; arguments appear in the order the adders were called.
 * Option values that QEMU parses as {@code key=value} lists go through {@link QemuOpts}, so commas
 * in paths and names are escaped; options QEMU takes verbatim ({@code -kernel}, {@code -append},
 * …) are passed unchanged. The record is immutable.
 */
public record QemuCommandLine(Path binary, List<String> args) {
    /** Debian's system emulator for x86-64. */
    public static final Path QEMU_SYSTEM_X86_64 = Path.of("/usr/bin/qemu-system-x86_64");

    /** The {@code -sandbox} setting jvirt uses for every guest: seccomp on, everything denied. */
    public static final QemuOpts STRICT_SANDBOX = QemuOpts.headed("enable", "on")
            .with("obsolete", "deny").with("elevateprivileges", "deny")
            .with("spawn", "deny").with("resourcecontrol", "deny");

    public QemuCommandLine {
        Objects.requireNonNull(binary, "binary");
        args = List.copyOf(args);
    }

    /** A builder for {@code binary}. */
    public static Builder builder(Path binary) {
        return new Builder(binary);
    }

    /** A builder for {@link #QEMU_SYSTEM_X86_64}. */
    public static Builder builder() {
        return new Builder(QEMU_SYSTEM_X86_64);
    }

    /** The binary followed by the arguments. */
    public List<String> argv() {
        List<String> all = new ArrayList<>(args.size() + 1);
        all.add(binary.toString());
        all.addAll(args);
        return List.copyOf(all);
    }

    /** Appends options in argv order. Not thread-safe; use from one thread, then {@link #build()}. */
    public static final class Builder {
        private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.\\-]*");

        private final Path binary;
        private final List<String> args = new ArrayList<>();

        private Builder(Path binary) {
            this.binary = Objects.requireNonNull(binary, "binary");
        }

        /** {@code -name guest=<name>}, plus {@code debug-threads=on} so QEMU threads carry names. */
        public Builder name(String name) {
            return option("-name", QemuOpts.headed("guest", name).with("debug-threads", true));
        }

        /** {@code -uuid <uuid>} (the SMBIOS system UUID). */
        public Builder uuid(UUID uuid) {
            return raw("-uuid", uuid.toString());
        }

        /** {@code -machine <type>,<props>}, e.g. {@code q35}, {@code pc}, {@code none}. */
        public Builder machine(String type, QemuOpts props) {
            return option("-machine", QemuOpts.headed("type", type).withAll(props));
        }

        /** {@code -machine <type>}. */
        public Builder machine(String type) {
            return machine(type, QemuOpts.empty());
        }

        /** {@code -accel <accel>,<props>}, e.g. {@code tcg} with {@code tb-size=32}. */
        public Builder accel(Accel accel, QemuOpts props) {
            return option("-accel", QemuOpts.headed("accel", accel.qemuName()).withAll(props));
        }

        /** {@code -accel <accel>}. */
        public Builder accel(Accel accel) {
            return accel(accel, QemuOpts.empty());
        }

        /**
         * {@code -cpu <model>[,<feature>…]}. QEMU does not unescape this option, so neither model
         * nor features may contain a comma.
         *
         * @param features entries like {@code +x2apic}, {@code -cx16} or {@code pmu=off}
         */
        public Builder cpu(String model, String... features) {
            List<String> parts = new ArrayList<>();
            parts.add(noComma("cpu model", model));
            for (String f : features) {
                parts.add(noComma("cpu feature", f));
            }
            return raw("-cpu", String.join(",", parts));
        }

        /** {@code -smp cpus=…,sockets=…,cores=…,threads=…}. */
        public Builder smp(Smp smp) {
            return option("-smp", smp.toOpts());
        }

        /** {@code -m <mib>M}. */
        public Builder memoryMiB(long mib) {
            if (mib < 1) {
                throw new IllegalArgumentException("memory must be >= 1 MiB: " + mib);
            }
            return raw("-m", mib + "M");
        }

        /** {@code -drive <opts>} (legacy drive syntax; prefer {@link #blockdev}). */
        public Builder drive(QemuOpts opts) {
            return option("-drive", opts);
        }

        /** {@code -blockdev driver=<driver>,node-name=<nodeName>,<props>}. */
        public Builder blockdev(String driver, String nodeName, QemuOpts props) {
            return option("-blockdev", QemuOpts.headed("driver", driver)
                    .with("node-name", id(nodeName)).withAll(props));
        }

        /** {@code -device <driver>,<props>}. */
        public Builder device(String driver, QemuOpts props) {
            return option("-device", QemuOpts.headed("driver", driver).withAll(props));
        }

        /** {@code -device <driver>}. */
        public Builder device(String driver) {
            return device(driver, QemuOpts.empty());
        }

        /** {@code -netdev <type>,id=<id>,<props>}, e.g. {@code tap} with {@code fd=3}, or {@code user}. */
        public Builder netdev(String type, String id, QemuOpts props) {
            return option("-netdev", QemuOpts.headed("type", type).with("id", id(id)).withAll(props));
        }

        /** {@code -chardev <backend>,id=<id>,<props>}. */
        public Builder chardev(String backend, String id, QemuOpts props) {
            return option("-chardev", QemuOpts.headed("backend", backend).with("id", id(id)).withAll(props));
        }

        /** {@code -chardev socket,id=<id>,path=<path>,server=on,wait=off}: a listening unix socket. */
        public Builder chardevUnixServer(String id, Path path) {
            return chardev("socket", id, QemuOpts.empty()
                    .with("path", path.toString()).with("server", true).with("wait", false));
        }

        /** {@code -chardev file,id=<id>,path=<path>}: output appended to a file. */
        public Builder chardevFile(String id, Path path) {
            return chardev("file", id, QemuOpts.empty().with("path", path.toString()));
        }

        /** {@code -serial chardev:<id>}: the next serial port wired to a chardev. */
        public Builder serial(String chardevId) {
            return raw("-serial", "chardev:" + id(chardevId));
        }

        /** {@code -vnc unix:<path>}: the VNC server on a unix socket (needs a display device). */
        public Builder vncUnixSocket(Path path) {
            return option("-vnc", QemuOpts.headed("vnc", "unix:" + path));
        }

        /** {@code -vnc none}: VNC off. */
        public Builder vncNone() {
            return raw("-vnc", "none");
        }

        /** {@code -display none}. */
        public Builder displayNone() {
            return raw("-display", "none");
        }

        /**
         * The QMP monitor on a listening unix socket at {@code path}: {@code -chardev socket,…}
         * with id {@code chardevId} and {@code -mon chardev=<id>,mode=control}.
         */
        public Builder qmp(String chardevId, Path path) {
            chardevUnixServer(chardevId, path);
            return option("-mon", QemuOpts.headed("chardev", id(chardevId)).with("mode", "control"));
        }

        /** {@code -kernel <path>} (taken verbatim by QEMU). */
        public Builder kernel(Path path) {
            return raw("-kernel", path.toString());
        }

        /** {@code -initrd <path>} (taken verbatim by QEMU). */
        public Builder initrd(Path path) {
            return raw("-initrd", path.toString());
        }

        /** {@code -append <cmdline>}: the kernel command line, verbatim. */
        public Builder append(String kernelCommandLine) {
            return raw("-append", kernelCommandLine);
        }

        /** {@code -bios <path>}: firmware image (verbatim). */
        public Builder bios(Path path) {
            return raw("-bios", path.toString());
        }

        /** {@code -rtc <props>}, e.g. {@code base=utc}. */
        public Builder rtc(QemuOpts props) {
            return option("-rtc", props);
        }

        /** {@code -boot <props>}, e.g. {@code strict=on}. */
        public Builder boot(QemuOpts props) {
            return option("-boot", props);
        }

        /** {@code -object <type>,id=<id>,<props>}, e.g. {@code rng-random} or {@code iothread}. */
        public Builder object(String type, String id, QemuOpts props) {
            return option("-object", QemuOpts.headed("qom-type", type).with("id", id(id)).withAll(props));
        }

        /** {@code -global <driver>.<property>=<value>}; QEMU takes the value verbatim (no escaping). */
        public Builder global(String driver, String property, String value) {
            return raw("-global", noComma("global driver", driver) + "." + noComma("global property", property)
                    + "=" + Objects.requireNonNull(value, "value"));
        }

        /** {@code -sandbox <props>}; see {@link QemuCommandLine#STRICT_SANDBOX}. */
        public Builder sandbox(QemuOpts props) {
            return option("-sandbox", props);
        }

        /** {@code -nodefaults}: no default devices (no VGA, NIC, serial, floppy, cdrom). */
        public Builder nodefaults() {
            return raw("-nodefaults");
        }

        /** {@code -no-user-config}: ignore /etc/qemu config files. */
        public Builder noUserConfig() {
            return raw("-no-user-config");
        }

        /** {@code -S}: do not start the CPUs until QMP {@code cont}. */
        public Builder startPaused() {
            return raw("-S");
        }

        /** {@code -no-reboot}: exit instead of rebooting. */
        public Builder noReboot() {
            return raw("-no-reboot");
        }

        /** {@code -no-shutdown}: on guest shutdown stop the CPUs but keep QEMU alive. */
        public Builder noShutdown() {
            return raw("-no-shutdown");
        }

        /** {@code -pidfile <path>}. */
        public Builder pidfile(Path path) {
            return raw("-pidfile", path.toString());
        }

        /** {@code <flag> <opts>}: any option QEMU parses as a key=value list. Escape hatch. */
        public Builder option(String flag, QemuOpts opts) {
            return raw(flag, opts.render());
        }

        /** Appends the words unchanged. Escape hatch; the caller owns quoting. */
        public Builder raw(String... words) {
            for (String w : words) {
                args.add(Objects.requireNonNull(w, "argument"));
            }
            return this;
        }

        /** The command line so far; the builder may keep being used. */
        public QemuCommandLine build() {
            return new QemuCommandLine(binary, args);
        }

        private static String id(String id) {
            Objects.requireNonNull(id, "id");
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException("not a QEMU id (letter, then letters, digits, '-', '.', '_'): '" + id + "'");
            }
            return id;
        }

        private static String noComma(String what, String value) {
            Objects.requireNonNull(value, what);
            if (value.isEmpty() || value.contains(",")) {
                throw new IllegalArgumentException(what + " must be non-empty and contain no comma: '" + value + "'");
            }
            return value;
        }
    }
}
