package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.qemu.img.BackingChain;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.ImageInfo;
import io.jvirt.qemu.img.QemuImg;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * containerDisks from local OCI image layouts: the image's single layer holds {@code disk/<file>};
 * that file is extracted once per manifest digest into {@code <cache>/<digest>/disk.<format>},
 * checked with qemu-img (a foreign image naming other files is refused), and each VMI gets its own
 * qcow2 overlay on it. Thread-safe; extraction of one image happens once.
 */
public final class ContainerDisks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path cache;
    private final QemuImg qemuImg;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public ContainerDisks(Path cache, QemuImg qemuImg) {
        this.cache = cache;
        this.qemuImg = qemuImg;
    }

    /** A base image in the cache. */
    public record Base(Path path, ImageFormat format) {}

    /** Extracts (once) and checks the disk of the layout's first manifest. */
    public Base base(Path layout) throws IOException, InterruptedException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        String manifestDigest = index.path("manifests").path(0).path("digest").asText();
        if (manifestDigest.isEmpty()) {
            throw new IOException("no manifest in " + layout.resolve("index.json"));
        }
        String key = manifestDigest.replace(':', '-');
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            Path dir = cache.resolve(key);
            for (ImageFormat f : new ImageFormat[] {ImageFormat.QCOW2, ImageFormat.RAW}) {
                if (Files.exists(dir.resolve("disk." + f.qemuName()))) {
                    return new Base(dir.resolve("disk." + f.qemuName()), f);
                }
            }
            JsonNode manifest = JSON.readTree(blob(layout, manifestDigest).toFile());
            JsonNode layers = manifest.path("layers");
            if (layers.size() != 1) {
                throw new IOException("containerDisk " + layout + " has " + layers.size() + " layers; expected exactly one");
            }
            JsonNode layer = layers.get(0);
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path tmp = Files.createTempFile(dir, "disk", ".part");
            try {
                String entryName = extractDisk(blob(layout, layer.path("digest").asText()), layer.path("mediaType").asText(), tmp);
                ImageFormat format = entryName.endsWith(".qcow2") ? ImageFormat.QCOW2 : ImageFormat.RAW;
                ImageInfo info = qemuImg.inspect(tmp, format, BackingChain.FOREIGN);
                if (info.virtualSize() <= 0) {
                    throw new IOException("containerDisk " + layout + ": empty disk " + entryName);
                }
                Path target = dir.resolve("disk." + format.qemuName());
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
                return new Base(target, format);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A new qcow2 overlay at {@code overlay} on the layout's base image (replaced if present). */
    public Path overlay(Path layout, Path overlay) throws IOException, InterruptedException {
        Base base = base(layout);
        Files.deleteIfExists(overlay);
        qemuImg.createOverlay(overlay, base.path(), base.format());
        return overlay;
    }

    private static Path blob(Path layout, String digest) throws IOException {
        String[] parts = digest.split(":", 2);
        if (parts.length != 2 || !parts[0].matches("[a-z0-9]+") || !parts[1].matches("[a-f0-9]{32,128}")) {
            throw new IOException("bad digest in " + layout + ": " + digest);
        }
        return layout.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
    }

    /** Copies the one {@code disk/*} regular file of the layer to {@code target}; returns its name. */
    private static String extractDisk(Path layerBlob, String mediaType, Path target) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(layerBlob));
             InputStream in = mediaType.endsWith("gzip") ? new GZIPInputStream(raw) : raw;
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (e.isFile() && name.startsWith("disk/") && name.indexOf('/', 5) < 0 && !name.contains("..")) {
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    return name;
                }
            }
        }
        throw new IOException("no disk/ file in layer " + layerBlob);
    }
}
