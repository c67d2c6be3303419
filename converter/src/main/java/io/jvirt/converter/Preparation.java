package io.jvirt.converter;

import io.jvirt.api.v1.Volume;
import io.jvirt.converter.cloudinit.CloudInitData;
import io.jvirt.converter.cloudinit.CloudInitIsos;
import io.jvirt.qemu.img.BackingChain;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.QemuImg;
import io.jvirt.qemu.img.UnsafeImageException;
import io.jvirt.qemu.img.Unprivileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher's own preparation before conversion: makes the run directory private (0700), writes
 * each cloud-init volume's ISO into it (NoCloud: instance-id = VMI UID, local-hostname =
 * {@code spec.hostname} or the VMI name), copies the UEFI variable store when EFI is used,
 * checks every handed-over file ({@link HandoverValidator}); creates the serial
 * and QEMU logs; with a QEMU user, hands the run directory and the files QEMU opens (ISOs, variable store,
 * serial log) to that user; then inspects every image with {@code qemu-img} (format pinned; a foreign image naming
 * another file is refused), run as the QEMU user without network under CDI's info limits ({@link Unprivileged}), so
 * it reads what QEMU will read and nothing more. Every file it writes is 0600. Not idempotent for files it writes:
 * they are overwritten.
 */
public final class Preparation {
    /** QEMU's own output (the launcher's, 0600) in the run directory. */
    public static final String QEMU_LOG = "qemu.log";
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");

    private Preparation() {}

    public static NodeHandover prepare(LaunchRequest request, FirmwareFiles firmware) throws IOException {
        RunDirectory run = new RunDirectory(request.runDirectory());
        Files.createDirectories(run.path());
        Files.setPosixFilePermissions(run.path(), PosixFilePermissions.fromString("rwx------"));
        if (Files.isSymbolicLink(run.path())) {
            throw new IOException("run directory is a symbolic link: " + run.path());
        }
        Map<String, ReadyDisk> volumes = new HashMap<>(request.volumes());
        List<Volume> specVolumes = request.vmi().spec().volumes() == null ? List.of() : request.vmi().spec().volumes();
        for (Volume v : specVolumes) {
            byte[] iso = cloudInitIso(request, v);
            if (iso == null) {
                continue;
            }
            Path file = run.cloudInitIso(v.name()); // holds the user data: 0600
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE));
            Files.write(file, iso);
            volumes.put(v.name(), ReadyDisk.file(file, DiskFormat.RAW));
        }
        NodeHandover handover = new NodeHandover(run, request.accel(), request.tcgTranslationCacheMiB(), volumes,
                request.networks(), request.kernel(), firmware);
        HandoverValidator.validate(handover);
        if (request.vmi().spec().domain().firmware() != null && request.vmi().spec().domain().firmware().bootloader() != null
                && request.vmi().spec().domain().firmware().bootloader().efi() != null) {
            boolean secure = !Boolean.FALSE.equals(request.vmi().spec().domain().firmware().bootloader().efi().secureBoot());
            Path template = secure ? firmware.secureBootVarsTemplate() : firmware.varsTemplate();
            Files.copy(template, run.efiVars(), StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(run.efiVars(), PosixFilePermissions.fromString("rw-------"));
        }
        createPrivate(run.serialLog());
        createPrivate(run.path().resolve(QEMU_LOG));
        Unprivileged user = request.qemuUser() == null ? null : Unprivileged.parse(request.qemuUser());
        if (user != null) {
            user.giveTo(run.path());
            user.giveTo(run.serialLog());
            for (Volume v : specVolumes) {
                if (v.cloudInitNoCloud() != null || v.cloudInitConfigDrive() != null) {
                    user.giveTo(run.cloudInitIso(v.name()));
                }
            }
            if (Files.exists(run.efiVars(), LinkOption.NOFOLLOW_LINKS)) {
                user.giveTo(run.efiVars());
            }
        }
        inspectImages(handover, user);
        return handover;
    }

    /** Creates {@code file} empty with mode 0600 unless it exists (then makes it 0600); never through a symbolic link. */
    private static void createPrivate(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE));
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("not a regular file: " + file);
        }
        Files.setPosixFilePermissions(file, PRIVATE);
    }

    /**
     * Refuses foreign images that name other files (backing, data file, extents) before QEMU may open them. An image
     * whose chain jvirt made itself (an overlay on a checked cache image, an emptyDisk) is not read again: nothing in
     * it was foreign.
     */
    private static void inspectImages(NodeHandover handover, Unprivileged user) throws IOException {
        QemuImg qemuImg = new QemuImg(QemuImg.QEMU_IMG, Duration.ofMinutes(1), user);
        for (Map.Entry<String, ReadyDisk> e : handover.volumes().entrySet()) {
            ReadyDisk disk = e.getValue();
            if (disk.jvirtOwnedChain()) {
                continue;
            }
            ImageFormat format = disk.format() == DiskFormat.QCOW2 ? ImageFormat.QCOW2 : ImageFormat.RAW;
            try {
                qemuImg.inspect(disk.path(), format, BackingChain.FOREIGN);
            } catch (UnsafeImageException ex) {
                throw new ConversionException("volume " + e.getKey() + ": refused: " + ex.getMessage());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while inspecting volume " + e.getKey(), ex);
            }
        }
    }

    private static byte[] cloudInitIso(LaunchRequest request, Volume v) {
        var meta = request.vmi().metadata();
        String name = meta == null || meta.name() == null ? "vmi" : meta.name();
        String uid = meta == null || meta.uid() == null ? name : meta.uid();
        String hostname = request.vmi().spec().hostname() == null ? name : request.vmi().spec().hostname();
        String field = "spec.volumes[name=" + v.name() + "]";
        if (v.cloudInitNoCloud() != null) {
            return CloudInitIsos.noCloud(uid, hostname, CloudInitData.of(field + ".cloudInitNoCloud", v.cloudInitNoCloud(), request.secrets()));
        }
        if (v.cloudInitConfigDrive() != null) {
            return CloudInitIsos.configDrive(uid, hostname, name,
                    CloudInitData.of(field + ".cloudInitConfigDrive", v.cloudInitConfigDrive(), request.secrets()));
        }
        return null;
    }

}
