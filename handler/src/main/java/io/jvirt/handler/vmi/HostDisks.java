package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.api.meta.Quantity;
import io.jvirt.converter.DiskFormat;
import io.jvirt.converter.ReadyDisk;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Hands KubeVirt's {@code hostDisk} volumes to QEMU, only while the {@code HostDisk} feature gate is on in the
 * KubeVirt CR (admission refuses them without it; the node checks again, for VMIs stored before the gate went off).
 * The path must be absolute and normalized with no symbolic link on the way; {@code Disk}: an existing regular file,
 * used as it is (raw; its owner and mode are left alone, so QEMU's user must be able to open it);
 * {@code DiskOrCreate}: created sparse with {@code capacity} when missing (its parent directory must exist), the
 * new file QEMU's user's. Never probed for a format. Stateless; thread-safe.
 */
final class HostDisks {
    private final BooleanSupplier gateOn;
    private final Consumer<Path> giveToQemu;

    HostDisks(BooleanSupplier gateOn, Consumer<Path> giveToQemu) {
        this.gateOn = gateOn;
        this.giveToQemu = giveToQemu;
    }

    /** The handover entry of a {@code hostDisk} volume. */
    ReadyDisk prepare(JsonNode volume) throws IOException {
        String name = volume.path("name").asText();
        JsonNode hostDisk = volume.path("hostDisk");
        if (!gateOn.getAsBoolean()) throw new IllegalStateException("volume " + name + ": HostDisk feature gate is not enabled");
        String text = hostDisk.path("path").asText("");
        Path path = Path.of(text);
        if (!path.isAbsolute() || !path.normalize().equals(path) || text.contains("//")) {
            throw new IllegalStateException("volume " + name + ": hostDisk.path '" + text + "' must be an absolute, normalized path");
        }
        Path prefix = path.getRoot();
        for (Path part : path) {
            prefix = prefix.resolve(part);
            if (Files.isSymbolicLink(prefix)) throw new IllegalStateException("volume " + name + ": hostDisk.path goes through a symbolic link at " + prefix);
        }
        String type = hostDisk.path("type").asText("");
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!type.equals("DiskOrCreate")) throw new IllegalStateException("volume " + name + ": hostDisk " + path + " does not exist (type " + type + ")");
            if (!Files.isDirectory(path.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("volume " + name + ": the directory of hostDisk " + path + " does not exist");
            }
            long bytes = Quantity.parse(hostDisk.path("capacity").asText("").strip()).toLongCeiling();
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
                f.setLength(bytes);
            }
            giveToQemu.accept(path);
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) throw new IllegalStateException("volume " + name + ": hostDisk " + path + " is not a regular file");
        return ReadyDisk.file(path, DiskFormat.RAW);
    }
}
