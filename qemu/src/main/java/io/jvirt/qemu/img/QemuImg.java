package io.jvirt.qemu.img;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code qemu-img}. Every call names the format of every image ({@code -f}, {@code -F},
 * {@code -O}), so qemu-img never guesses one from the content, and passes absolute paths, so a
 * name can never be read as a protocol ({@code nbd:}, {@code json:}) or an option.
 *
 * <p>Foreign images that refer to other files (a backing file, a qcow2 external data file, vmdk
 * extents elsewhere) are refused with {@link UnsafeImageException} before anything reads them.
 *
 * <p>Given an {@link Unprivileged} user (a root caller), every qemu-img runs as that user without network
 * ({@link Unprivileged#argv}), {@link #info}, {@link #inspect} and {@link #check} under the info limits as well: the
 * caller hands it the files ({@link Unprivileged#giveTo}, a directory it can search). Without one (a caller that is not
 * root), qemu-img runs as the caller.
 *
 * <p>Stateless and thread-safe; each call runs one qemu-img process, killed after the timeout.
 */
public final class QemuImg {
    /** Debian's qemu-img. */
    public static final Path QEMU_IMG = Path.of("/usr/bin/qemu-img");

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Drains qemu-img's pipes; one virtual thread per stream, so neither pipe can block the other. */
    private static final ExecutorService DRAIN = Executors.newVirtualThreadPerTaskExecutor();

    private final Path binary;
    private final Duration timeout;
    private final Unprivileged user;
    private final Unprivileged.Limits infoLimits;
    private final Path directory;

    /**
     * qemu-img at {@code binary}; each call may take up to {@code timeout}; run as {@code user} (null: as the caller)
     * with {@code infoLimits} on the calls that read an image's metadata.
     */
    public QemuImg(Path binary, Duration timeout, Unprivileged user, Unprivileged.Limits infoLimits) {
        this.binary = binary;
        this.timeout = timeout;
        this.user = user;
        this.infoLimits = infoLimits;
        this.directory = null;
    }

    private QemuImg(QemuImg of, Path directory) {
        this.binary = of.binary;
        this.timeout = of.timeout;
        this.user = of.user;
        this.infoLimits = of.infoLimits;
        this.directory = directory;
    }

    /**
     * This qemu-img started in {@code directory} (absolute), every image inside it named relative to it
     * ({@code ./name}): the user reaches its own work directory even when a directory above it is closed to
     * others, as path lookup from the working directory checks that directory only.
     */
    public QemuImg within(Path directory) {
        return new QemuImg(this, directory.toAbsolutePath());
    }

    /** qemu-img at {@code binary} as {@code user} (null: as the caller) under CDI's info limits. */
    public QemuImg(Path binary, Duration timeout, Unprivileged user) {
        this(binary, timeout, user, Unprivileged.Limits.IMAGE_INFO);
    }

    /** Debian's qemu-img as {@code user} (null: as the caller) with a 10-minute limit per call (large conversions). */
    public QemuImg(Unprivileged user) {
        this(QEMU_IMG, Duration.ofMinutes(10), user);
    }

    /** Debian's qemu-img as the caller (tests, a caller that is not root), 10 minutes per call. */
    public QemuImg() {
        this((Unprivileged) null);
    }

    /** The user qemu-img runs as, empty when it runs as the caller. */
    public java.util.Optional<Unprivileged> user() {
        return java.util.Optional.ofNullable(user);
    }

    /** {@code qemu-img info --output=json -f <format> <image>}: the image's own header, no checks. */
    public ImageInfo info(Path image, ImageFormat format) throws IOException, InterruptedException {
        Path abs = image.toAbsolutePath();
        String json = run(infoLimits, "info", "--output=json", "-f", format.qemuName(), name(image));
        return ImageInfo.fromJson(abs, JSON.readTree(json));
    }

    /**
     * {@link #info}, then refuses a {@link BackingChain#FOREIGN} image that refers to another file.
     *
     * @throws UnsafeImageException naming the image and the file it refers to
     */
    public ImageInfo inspect(Path image, ImageFormat format, BackingChain chain) throws IOException, InterruptedException {
        ImageInfo info = info(image, format);
        if (chain == BackingChain.JVIRT_OWNED) {
            return info;
        }
        if (info.backingFile() != null) {
            throw new UnsafeImageException(info.image(), "a backing file", info.backingFile());
        }
        if (info.dataFile() != null) {
            throw new UnsafeImageException(info.image(), "an external data file", info.dataFile());
        }
        if (!info.externalExtents().isEmpty()) {
            throw new UnsafeImageException(info.image(), "an extent in another file", info.externalExtents().getFirst());
        }
        return info;
    }

    /** {@code qemu-img create -f <format> <image> <bytes>}: a new, empty image. */
    public void create(Path image, ImageFormat format, long virtualSizeBytes) throws IOException, InterruptedException {
        if (virtualSizeBytes < 0) {
            throw new IllegalArgumentException("negative image size " + virtualSizeBytes);
        }
        run(Unprivileged.Limits.NONE, "create", "-q", "-f", format.qemuName(), name(image), Long.toString(virtualSizeBytes));
    }

    /**
     * {@code qemu-img create -f qcow2 -b <backing> -F <backingFormat> <overlay>}: a copy-on-write
     * overlay as large as its backing file. The backing file must be one jvirt made or checked
     * with {@link #inspect}: qemu-img opens it to learn its size.
     */
    public void createOverlay(Path overlay, Path backing, ImageFormat backingFormat) throws IOException, InterruptedException {
        run(Unprivileged.Limits.NONE, "create", "-q", "-f", ImageFormat.QCOW2.qemuName(),
                "-b", backing.toAbsolutePath().toString(), "-F", backingFormat.qemuName(), name(overlay));
    }

    /**
     * {@code qemu-img convert -f <sourceFormat> -O <targetFormat> <source> <target>}, after
     * {@link #inspect}ing the source under {@code chain} (a foreign source naming another file
     * would copy that file's content into the target).
     */
    public void convert(Path source, ImageFormat sourceFormat, Path target, ImageFormat targetFormat, BackingChain chain)
            throws IOException, InterruptedException {
        inspect(source, sourceFormat, chain);
        run(Unprivileged.Limits.NONE, "convert", "-q", "-f", sourceFormat.qemuName(), "-O", targetFormat.qemuName(),
                name(source), name(target));
    }

    /**
     * {@code qemu-img check -f <format> <image>}: refuses an image whose metadata is corrupt, e.g. a truncated
     * qcow2 (which {@code convert} would copy silently, reading zeros past the end). Leaked clusters are harmless
     * and pass; formats qemu-img cannot check (raw, vmdk, vpc) pass unchecked.
     *
     * @throws QemuImgException naming the first error qemu-img found
     */
    public void check(Path image, ImageFormat format) throws IOException, InterruptedException {
        try {
            run(infoLimits, "check", "-q", "-f", format.qemuName(), name(image));
        } catch (QemuImgException e) {
            if (e.exitCode() == 3 || e.exitCode() == 63) return; // 3: only leaked clusters; 63: checks not supported
            throw e;
        }
    }

    /**
     * Runs qemu-img with {@code args} (as {@link #user} under {@code limits} when there is one); returns its standard
     * output. Killed by a limit, it fails naming that limit.
     */
    private String run(Unprivileged.Limits limits, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        List<String> argv = user == null ? command : user.argv(command, limits);
        Process p = new ProcessBuilder(argv).directory(directory == null ? null : directory.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), DRAIN);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()), DRAIN);
        try {
            if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                p.destroyForcibly().waitFor();
                throw new QemuImgException(argv, -1, err.join());
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        if (p.exitValue() != 0) {
            throw new QemuImgException(command, p.exitValue(), overLimit(limits, p.exitValue(), err.join()) + err.join());
        }
        return out.join();
    }

    /** How qemu-img is told {@code image}: its absolute path, or {@code ./<path>} inside {@link #within}'s directory. */
    private String name(Path image) {
        Path abs = image.toAbsolutePath().normalize();
        return directory != null && abs.startsWith(directory) && !abs.equals(directory) ? "./" + directory.relativize(abs) : abs.toString();
    }

    /** Why a confined qemu-img failed when it ran into its limits, or "" (a signal's exit code is 128 + its number). */
    private String overLimit(Unprivileged.Limits limits, int exit, String stderr) {
        if (user == null || (limits.addressSpaceBytes() == 0 && limits.cpuSeconds() == 0)) return "";
        boolean memory = stderr.contains("allocate") || exit == 128 + 6; // "Could not allocate ...", "Cannot allocate memory", or an abort
        boolean cpu = exit == 128 + 24 || exit == 128 + 9; // SIGXCPU at the soft limit, SIGKILL at the hard one
        if (!memory && !cpu) return "";
        return "reading the image's metadata needs more than qemu-img's limits of " + (limits.addressSpaceBytes() >> 20)
                + " MiB of address space and " + limits.cpuSeconds() + " s of CPU time\n";
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
