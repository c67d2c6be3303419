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

    /** qemu-img at {@code binary}; each call may take up to {@code timeout}. */
    public QemuImg(Path binary, Duration timeout) {
        this.binary = binary;
        this.timeout = timeout;
    }

    /** Debian's qemu-img with a 10-minute limit per call (large conversions). */
    public QemuImg() {
        this(QEMU_IMG, Duration.ofMinutes(10));
    }

    /** {@code qemu-img info --output=json -f <format> <image>}: the image's own header, no checks. */
    public ImageInfo info(Path image, ImageFormat format) throws IOException, InterruptedException {
        Path abs = image.toAbsolutePath();
        String json = run("info", "--output=json", "-f", format.qemuName(), abs.toString());
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
        run("create", "-q", "-f", format.qemuName(), image.toAbsolutePath().toString(), Long.toString(virtualSizeBytes));
    }

    /**
     * {@code qemu-img create -f qcow2 -b <backing> -F <backingFormat> <overlay>}: a copy-on-write
     * overlay as large as its backing file. The backing file must be one jvirt made or checked
     * with {@link #inspect}: qemu-img opens it to learn its size.
     */
    public void createOverlay(Path overlay, Path backing, ImageFormat backingFormat) throws IOException, InterruptedException {
        run("create", "-q", "-f", ImageFormat.QCOW2.qemuName(),
                "-b", backing.toAbsolutePath().toString(), "-F", backingFormat.qemuName(),
                overlay.toAbsolutePath().toString());
    }

    /**
     * {@code qemu-img convert -f <sourceFormat> -O <targetFormat> <source> <target>}, after
     * {@link #inspect}ing the source under {@code chain} (a foreign source naming another file
     * would copy that file's content into the target).
     */
    public void convert(Path source, ImageFormat sourceFormat, Path target, ImageFormat targetFormat, BackingChain chain)
            throws IOException, InterruptedException {
        inspect(source, sourceFormat, chain);
        run("convert", "-q", "-f", sourceFormat.qemuName(), "-O", targetFormat.qemuName(),
                source.toAbsolutePath().toString(), target.toAbsolutePath().toString());
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
            run("check", "-q", "-f", format.qemuName(), image.toAbsolutePath().toString());
        } catch (QemuImgException e) {
            if (e.exitCode() == 3 || e.exitCode() == 63) return; // 3: only leaked clusters; 63: checks not supported
            throw e;
        }
    }

    /** Runs qemu-img with {@code args}; returns its standard output. */
    private String run(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add(binary.toString());
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
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
            throw new QemuImgException(argv, p.exitValue(), err.join());
        }
        return out.join();
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
