package io.jvirt.handler.vmi;

import io.jvirt.qemu.img.BackingChain;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.ImageInfo;
import io.jvirt.qemu.img.QemuImg;
import io.jvirt.registry.Credentials;
import io.jvirt.registry.Digest;
import io.jvirt.registry.DockerConfig;
import io.jvirt.registry.ImageException;
import io.jvirt.registry.ImageFiles;
import io.jvirt.registry.ImageReference;
import io.jvirt.registry.ImageSource;
import io.jvirt.registry.Manifest;
import io.jvirt.registry.OciLayout;
import io.jvirt.registry.PullPolicy;
import io.jvirt.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The node's image cache for containerDisks and kernel-boot images, shared by every VMI on the node and content
 * addressed: what an image yields (its disk, or its kernel and initrd) is extracted once per image manifest digest
 * into {@code <cache>/sha256-<manifest>/} (read-only files in searchable directories, so QEMU's user opens them),
 * and each VMI gets its own qcow2 overlay on a disk. Images come from a local OCI layout when {@link ImageMirrors}
 * names one (KubeVirt's demo names out of the box), else from a registry through {@link RegistryClient} (its
 * mirrors, plain-HTTP list and digest checks), as the VMI's {@code imagePullPolicy} says: {@code IfNotPresent} and
 * {@code Never} use the manifest digest the reference last resolved to ({@code <cache>/refs/}, root's only),
 * {@code Always} asks the registry for the manifest every time (and fetches no blob it already has).
 * qemu-img runs as {@link QemuImg#user} (QEMU's), reading the staged disk once it is read-only for everyone (as
 * the cache keeps it) and writing an overlay that is created and given to it first.
 * A disk is checked with qemu-img before it enters the cache (qcow2 or raw only, no file beside it); nothing of a
 * refused or failed pull stays. Thread-safe: one extraction per image at a time.
 */
public final class ContainerDisks {
    private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};
    private final Path cache;
    private final QemuImg qemuImg;
    private final ImageMirrors layouts;
    private final RegistryClient registry;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public ContainerDisks(Path cache, QemuImg qemuImg, ImageMirrors layouts, RegistryClient registry) {
        this.cache = cache;
        this.qemuImg = qemuImg;
        this.layouts = layouts;
        this.registry = registry;
    }

    /**
     * What a VMI asks for: {@code containerDisk} or {@code kernelBoot.container}.
     *
     * @param image the image reference
     * @param pullPolicy {@code imagePullPolicy}, or null for Kubernetes' default
     * @param credentials the {@code imagePullSecret}'s docker config (empty for anonymous pulls)
     */
    public record Pull(String image, String pullPolicy, DockerConfig credentials) {
        public Pull {
            credentials = credentials == null ? DockerConfig.empty() : credentials;
        }
    }

    /** A base image in the cache. */
    public record Base(Path path, ImageFormat format) {}

    /** The kernel and initrd (null when none was asked for) of a kernel-boot image, in the cache. */
    public record Kernel(Path kernel, Path initrd) {}

    /**
     * The image's disk (KubeVirt's rule: the file at {@code path}, else the first file under {@code /disk/}),
     * pulled and checked once.
     *
     * @throws ImageException why the image could not be had (the registry's message)
     */
    public Base base(Pull pull, String path) throws IOException, InterruptedException {
        String product = path == null || path.isEmpty() ? "disk" : "disk-" + shortHash(path);
        return cached(pull, product, dir -> existingBase(dir, product), (source, image, dir) -> {
            Path staging = dir.resolve(".staging-" + product);
            try {
                Map<String, Path> files = ImageFiles.extract(source, image, ImageFiles.diskFilter(path), staging);
                if (files.isEmpty()) {
                    throw new ImageException(ImageException.Kind.NO_SUCH_FILE, "containerDisk " + pull.image() + " has no "
                            + (path == null || path.isEmpty() ? "file under /disk/" : "file at " + path));
                }
                Path disk = files.values().iterator().next();
                ImageFormat format = startsWith(disk, QCOW2_MAGIC) ? ImageFormat.QCOW2 : ImageFormat.RAW;
                Files.setPosixFilePermissions(disk, PosixFilePermissions.fromString("r--r--r--")); // what the cache publishes; qemu-img's user reads it
                ImageInfo info = qemuImg.inspect(disk, format, BackingChain.FOREIGN);
                if (info.virtualSize() <= 0) {
                    throw new ImageException(ImageException.Kind.NO_SUCH_FILE, "containerDisk " + pull.image() + ": the disk is empty");
                }
                Path target = dir.resolve(product + "." + format.qemuName());
                publish(disk, target);
                return new Base(target, format);
            } finally {
                ImageFiles.deleteTree(staging);
            }
        });
    }

    /** A new qcow2 overlay at {@code overlay} on the image's disk (replaced if present). */
    public Path overlay(Pull pull, String path, Path overlay) throws IOException, InterruptedException {
        Base base = base(pull, path);
        Files.deleteIfExists(overlay);
        if (qemuImg.user().isPresent()) { // qemu-img's user writes only this file, created for it
            Files.createFile(overlay, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            qemuImg.user().get().giveTo(overlay);
        }
        qemuImg.createOverlay(overlay, base.path(), base.format());
        return overlay;
    }

    /**
     * The kernel at {@code kernelPath} and the initrd at {@code initrdPath} of a kernel-boot image, pulled once.
     *
     * @param kernelPath absolute path in the image (checked by admission and the converter), or null
     * @param initrdPath likewise, or null
     * @throws ImageException why not, also when the image has no file at a path asked for
     */
    public Kernel kernel(Pull pull, String kernelPath, String initrdPath) throws IOException, InterruptedException {
        String product = "boot-" + shortHash(kernelPath + "\0" + initrdPath);
        return cached(pull, product, dir -> existingKernel(dir, product, kernelPath, initrdPath), (source, image, dir) -> {
            Path staging = dir.resolve(".staging-" + product);
            try {
                String kernel = kernelPath == null ? null : ImageFiles.normalize(kernelPath);
                String initrd = initrdPath == null ? null : ImageFiles.normalize(initrdPath);
                Predicate<String> wanted = name -> name.equals(kernel) || name.equals(initrd);
                Map<String, Path> files = ImageFiles.extract(source, image, wanted, staging);
                for (String[] asked : new String[][] {{"kernelPath", kernelPath, kernel}, {"initrdPath", initrdPath, initrd}}) {
                    if (asked[1] != null && !files.containsKey(asked[2])) {
                        throw new ImageException(ImageException.Kind.NO_SUCH_FILE, "kernel-boot image " + pull.image() + " has no file at "
                                + asked[0] + " " + asked[1]);
                    }
                }
                Path out = dir.resolve(product);
                Files.createDirectories(out);
                Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
                if (kernel != null) {
                    publish(files.get(kernel), out.resolve("kernel"));
                }
                if (initrd != null) {
                    publish(files.get(initrd), out.resolve("initrd"));
                }
                return existingKernel(dir, product, kernelPath, initrdPath).orElseThrow();
            } finally {
                ImageFiles.deleteTree(staging);
            }
        });
    }

    private interface Lookup<T> {
        Optional<T> find(Path imageDir) throws IOException;
    }

    private interface Extraction<T> {
        T extract(ImageSource source, Manifest.Image image, Path imageDir) throws IOException, InterruptedException;
    }

    /**
     * The product of {@code pull}'s image: from the cache when the pull policy lets the reference's last digest
     * stand and it is there, else resolved (and extracted when new). The reference's digest is recorded after a
     * successful pull only.
     */
    private <T> T cached(Pull pull, String product, Lookup<T> lookup, Extraction<T> extraction) throws IOException, InterruptedException {
        Optional<Path> layout = layouts.resolve(pull.image());
        if (layout.isPresent()) {
            ImageSource source = new OciLayout(layout.get(), tagOf(pull.image()));
            return produce(source, source.resolve(), product, lookup, extraction);
        }
        ImageReference ref;
        PullPolicy policy;
        try {
            ref = ImageReference.parse(pull.image());
            policy = PullPolicy.of(pull.pullPolicy(), ref);
        } catch (IllegalArgumentException e) {
            throw new ImageException(ImageException.Kind.INVALID_REFERENCE, e.getMessage());
        }
        Path refFile = cache.resolve("refs").resolve(shortHash(ref.toString()));
        if (policy != PullPolicy.ALWAYS && Files.isRegularFile(refFile)) {
            Optional<T> found = lookup.find(imageDir(Digest.parse(Files.readString(refFile).strip())));
            if (found.isPresent()) {
                return found.get();
            }
        }
        if (policy == PullPolicy.NEVER) {
            throw new ImageException(ImageException.Kind.NOT_FOUND, "Container image \"" + pull.image() + "\" is not present with pull policy of Never");
        }
        String endpoint = registry.config().resolve(ref).registry();
        Credentials credentials = pull.credentials().lookup(endpoint).or(() -> pull.credentials().lookup(ref.registry())).orElse(null);
        ImageSource source = registry.open(ref, credentials);
        Manifest.Image image = source.resolve();
        T result = produce(source, image, product, lookup, extraction);
        Files.createDirectories(refFile.getParent());
        Files.setPosixFilePermissions(refFile.getParent(), PosixFilePermissions.fromString("rwx------"));
        Path tmp = Files.createTempFile(refFile.getParent(), "ref", ".tmp");
        Files.writeString(tmp, image.digest().toString());
        Files.move(tmp, refFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return result;
    }

    private <T> T produce(ImageSource source, Manifest.Image image, String product, Lookup<T> lookup, Extraction<T> extraction)
            throws IOException, InterruptedException {
        Path dir = imageDir(image.digest());
        ReentrantLock lock = locks.computeIfAbsent(image.digest().toString(), k -> new ReentrantLock());
        lock.lock();
        try {
            Optional<T> found = lookup.find(dir);
            if (found.isPresent()) {
                return found.get();
            }
            boolean fresh = !Files.isDirectory(dir);
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                return extraction.extract(source, image, dir);
            } catch (IOException | RuntimeException | InterruptedException e) {
                if (fresh) {
                    ImageFiles.deleteTree(dir); // nothing of a refused image stays
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private Path imageDir(Digest manifest) {
        return cache.resolve(manifest.fileName());
    }

    private static Optional<Base> existingBase(Path dir, String product) {
        for (ImageFormat f : new ImageFormat[] {ImageFormat.QCOW2, ImageFormat.RAW}) {
            Path p = dir.resolve(product + "." + f.qemuName());
            if (Files.isRegularFile(p)) {
                return Optional.of(new Base(p, f));
            }
        }
        return Optional.empty();
    }

    private static Optional<Kernel> existingKernel(Path dir, String product, String kernelPath, String initrdPath) {
        Path kernel = dir.resolve(product).resolve("kernel");
        Path initrd = dir.resolve(product).resolve("initrd");
        if ((kernelPath != null && !Files.isRegularFile(kernel)) || (initrdPath != null && !Files.isRegularFile(initrd))) {
            return Optional.empty();
        }
        return Optional.of(new Kernel(kernelPath == null ? null : kernel, initrdPath == null ? null : initrd));
    }

    /** Moves a checked file into the cache, read-only for everyone. */
    private static void publish(Path file, Path target) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean startsWith(Path file, byte[] magic) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(magic.length), magic);
        }
    }

    /** The tag of a reference for a local layout's ref names, or null. */
    private static String tagOf(String image) {
        try {
            return ImageReference.parse(image).tag();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String shortHash(String text) {
        return Digest.sha256(text.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 24);
    }
}
