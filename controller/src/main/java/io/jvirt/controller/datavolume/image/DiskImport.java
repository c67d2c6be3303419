package io.jvirt.controller.datavolume.image;

import io.jvirt.qemu.img.BackingChain;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.ImageInfo;
import io.jvirt.qemu.img.QemuImg;
import io.jvirt.qemu.img.QemuImgException;
import io.jvirt.qemu.img.UnsafeImageException;
import io.jvirt.qemu.img.Unprivileged;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Writes one stream of user content into a volume, CDI's way, and checks it before any byte of it is used:
 * <ul>
 *   <li>gzip, xz, zstd and bzip2 are unpacked as they stream; a tar's first regular file is taken;</li>
 *   <li>content type {@code kubevirt}: the format is read from the magic bytes only (a name whose extension
 *       claims another format is refused); raw streams straight into the image (no temporary copy, zero blocks
 *       left sparse); qcow2, vmdk, vdi, vhd and vhdx are downloaded beside it, checked ({@link QemuImg#inspect}
 *       refuses backing files, external data files and extents; {@link QemuImg#check} refuses corrupt or
 *       truncated metadata; a virtual size above the volume's is refused), converted to raw with the format
 *       pinned, and the work directory removed;</li>
 *   <li>the image is then resized to fill the volume;</li>
 *   <li>content type {@code archive}: a tar unpacked into the volume's directory (regular files and directories
 *       only, every path inside it);</li>
 *   <li>more bytes than the volume holds (after decompression: a decompression bomb stops there) are refused.</li>
 * </ul>
 * The image is written as {@code <name>.part} and renamed when complete; on any failure the part, the work
 * directory and an archive's files are removed, so nothing is left behind. One call per volume at a time.
 *
 * <p>The tools that read the content run as {@link QemuImg#user}, without network ({@link Unprivileged}): xz
 * through pipes only; qemu-img in a work directory {@code .import} of its own beside the image (0700, that user's,
 * named relative to it), holding the downloaded file given to that user and the raw file qemu-img writes, which is
 * taken back (root's, 0600) before it becomes the part. Java's gzip, zstd, bzip2 and tar decoders run in this process.
 */
public final class DiskImport {
    /** CDI's {@code contentType}. */
    public enum ContentType { KUBEVIRT, ARCHIVE }

    /** What was imported: the format the content was in and the guest-visible size it had. */
    public record Result(ImageFormat format, long virtualSize) {}

    private static final System.Logger LOG = System.getLogger(DiskImport.class.getName());
    private static final int CHUNK = 1 << 20;
    private static final long WRITE_BEHIND = 64L << 20;
    private final QemuImg qemuImg;

    public DiskImport(QemuImg qemuImg) {
        this.qemuImg = qemuImg;
    }

    /**
     * Imports {@code source} into {@code image} (a volume's raw image file, replaced when complete).
     *
     * @param name the content's name (a URL's path, a file name) for the extension check, or null
     * @param capacity the volume's size in bytes
     * @param sourceBytes told the number of bytes read from {@code source} so far (progress)
     * @throws ImageRefusedException when the content is refused (permanent)
     * @throws IOException when reading the source or writing fails (may be transient)
     */
    public Result importImage(InputStream source, String name, Path image, long capacity, ContentType type,
                              LongConsumer sourceBytes) throws IOException, InterruptedException {
        Path part = image.resolveSibling(image.getFileName() + ".part");
        Path work = image.resolveSibling(".import");
        Path scratch = work.resolve("source");
        try (InputStream counted = new Counting(source, sourceBytes); InputStream unpacked = unpack(counted, qemuImg.user().orElse(null))) {
            InputStream content = unpacked;
            if (type == ContentType.ARCHIVE) {
                extract(content, image.getParent(), capacity);
                return new Result(ImageFormat.RAW, 0);
            }
            byte[] head = peek(content);
            if (Content.isTar(head)) {
                content = firstFile(new TarArchiveInputStream(content));
                head = peek(content);
            }
            if (Content.isLuks(head)) throw new ImageRefusedException("the image is LUKS-encrypted; jvirt cannot import encrypted images");
            ImageFormat format = Content.format(head);
            var declared = Content.declared(name);
            if (declared.isPresent() && declared.get() != format) {
                throw new ImageRefusedException("the content is " + describe(format) + " but its name '" + lastSegment(name)
                        + "' says " + describe(declared.get()) + "; refusing content that disguises its format");
            }
            Files.deleteIfExists(part);
            Unprivileged.deleteTree(work);
            if (format == ImageFormat.RAW) {
                long written = writeSparse(content, part, capacity, "the image", true);
                complete(part, image, capacity);
                return new Result(format, written);
            }
            long t0 = System.nanoTime();
            workDirectory(work);
            writeSparse(content, scratch, capacity + capacity / 10 + (16L << 20), "the " + describe(format) + " file", false);
            Optional<Unprivileged> user = qemuImg.user();
            if (user.isPresent()) user.get().giveTo(scratch);
            QemuImg tool = qemuImg.within(work);
            long t1 = System.nanoTime();
            ImageInfo info = checked(tool, scratch, format, capacity);
            long t2 = System.nanoTime();
            Path converted = work.resolve("converted.raw");
            tool.convert(scratch, format, converted, ImageFormat.RAW, BackingChain.FOREIGN);
            long t3 = System.nanoTime();
            if (user.isPresent()) Unprivileged.takeBack(converted);
            Files.setPosixFilePermissions(converted, PosixFilePermissions.fromString("rw-------")); // qemu-img made it by its umask
            Files.move(converted, part, StandardCopyOption.ATOMIC_MOVE);
            Unprivileged.deleteTree(work);
            complete(part, image, capacity);
            LOG.log(System.Logger.Level.INFO, () -> String.format(java.util.Locale.ROOT, "%s: %s written in %.3f s, checked in %.3f s, converted in %.3f s, completed in %.3f s",
                    image, describe(format), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (System.nanoTime() - t3) / 1e9));
            return new Result(format, info.virtualSize());
        } catch (IOException | InterruptedException | RuntimeException e) {
            Files.deleteIfExists(part);
            Unprivileged.deleteTree(work);
            throw e;
        }
    }

    /** A new raw image of {@code capacity} bytes holding only zeros (CDI's {@code blank} source); sparse. */
    public void blank(Path image, long capacity) throws IOException {
        Path part = image.resolveSibling(image.getFileName() + ".part");
        Files.deleteIfExists(part);
        Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        complete(part, image, capacity);
    }

    /**
     * Copies the raw image {@code source} (another volume's, never probed: its bytes are the guest's) into
     * {@code image}, resized to {@code capacity}; a source larger than the capacity is refused.
     */
    public void cloneRaw(Path source, Path image, long capacity, LongConsumer sourceBytes) throws IOException, InterruptedException {
        long size = Files.size(source);
        if (size > capacity) {
            throw new ImageRefusedException("the source volume holds " + size + " bytes, more than this volume's capacity of " + capacity + " bytes");
        }
        try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
            Path part = image.resolveSibling(image.getFileName() + ".part");
            try {
                Files.deleteIfExists(part);
                writeSparse(new Counting(in, sourceBytes), part, capacity, "the source volume", true);
                complete(part, image, capacity);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(part);
                throw e;
            }
        }
    }

    /** The new, empty work directory (0700): the tools' user's when there is one. */
    private void workDirectory(Path work) throws IOException {
        Optional<Unprivileged> user = qemuImg.user();
        if (user.isPresent()) {
            user.get().workDirectory(work);
        } else {
            Files.createDirectory(work, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    private static ImageInfo checked(QemuImg tool, Path scratch, ImageFormat format, long capacity) throws IOException, InterruptedException {
        ImageInfo info;
        try {
            info = tool.inspect(scratch, format, BackingChain.FOREIGN);
            tool.check(scratch, format);
        } catch (UnsafeImageException e) {
            throw new ImageRefusedException("the " + describe(format) + " image has " + e.what() + " '" + e.referencedFile()
                    + "'; images from outside may not refer to other files");
        } catch (QemuImgException e) {
            throw new ImageRefusedException("the content starts like " + describe(format) + " but is not a valid one (corrupt or truncated): "
                    + e.firstError());
        }
        if (info.virtualSize() > capacity) {
            throw new ImageRefusedException("the image's virtual size of " + info.virtualSize() + " bytes is larger than the volume's capacity of "
                    + capacity + " bytes");
        }
        return info;
    }

    /** Unwraps compression layers (at most three: {@code .tar.gz} of a {@code .xz} is already odd). */
    private static InputStream unpack(InputStream in, Unprivileged user) throws IOException {
        InputStream current = new BufferedInputStream(in, CHUNK);
        for (int layer = 0; layer < 3; layer++) {
            InputStream next = switch (Content.compression(peek(current))) {
                case GZIP -> new java.util.zip.GZIPInputStream(current, 1 << 16);
                case XZ -> XzProcess.decoding(current, user);
                case ZSTD -> new ZstdCompressorInputStream(current);
                case BZIP2 -> new BZip2CompressorInputStream(current, true);
                case NONE -> null;
            };
            if (next == null) return current;
            current = new BufferedInputStream(next, CHUNK);
        }
        return current;
    }

    private static byte[] peek(InputStream in) throws IOException {
        in.mark(Content.HEAD);
        byte[] head = in.readNBytes(Content.HEAD);
        in.reset();
        return head;
    }

    private static InputStream firstFile(TarArchiveInputStream tar) throws IOException {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            if (entry.isFile()) return new BufferedInputStream(tar, CHUNK);
        }
        throw new ImageRefusedException("the tar archive holds no regular file");
    }

    /**
     * Streams {@code in} into a new file, seeking over zero chunks; refuses more than {@code limit} bytes. Stops with
     * {@link InterruptedIOException} once the thread is interrupted. A {@code writeBehind} file (one that
     * {@link #complete} flushes) is flushed every {@value #WRITE_BEHIND} bytes on another thread meanwhile, so the disk
     * writes while the source is still read and the final flush has little left to do.
     */
    private static long writeSparse(InputStream in, Path file, long limit, String what, boolean writeBehind) throws IOException {
        byte[] buf = new byte[CHUNK];
        byte[] zeros = new byte[CHUNK];
        long pos = 0;
        try (FileChannel out = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            CompletableFuture<Void> flushing = CompletableFuture.completedFuture(null);
            long flushedTo = 0;
            int n;
            while ((n = in.readNBytes(buf, 0, CHUNK)) > 0) {
                if (Thread.interrupted()) throw new InterruptedIOException("the import was stopped");
                if (pos + n > limit) {
                    throw new ImageRefusedException(what + " is larger than the volume: more than " + limit
                            + " bytes (after decompression), the volume's capacity being the limit");
                }
                if (Arrays.mismatch(buf, 0, n, zeros, 0, n) >= 0) {
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (b.hasRemaining()) out.write(b, pos + b.position());
                }
                pos += n;
                if (writeBehind && pos - flushedTo >= WRITE_BEHIND && flushing.isDone()) {
                    flushedTo = pos;
                    flushing = CompletableFuture.runAsync(() -> {
                        try {
                            out.force(false);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e); // the final flush in complete() reports it again
                        }
                    }, Thread::startVirtualThread);
                }
            }
            flushing.exceptionally(e -> null).join();
        }
        resize(file, pos); // a trailing run of zeros was skipped, not written
        return pos;
    }

    /**
     * Makes the finished {@code part} the volume's {@code image}: resized to {@code capacity}, flushed to the disk, then
     * renamed over it and the rename flushed too, so a volume whose DataVolume says Succeeded survives a crash. (For a
     * converted image this is the only flush: qemu-img convert's own {@code -t writeback} took 2-4 s for 1 GiB here,
     * its default {@code unsafe} and this fsync 1-2 s.)
     */
    private static void complete(Path part, Path image, long capacity) throws IOException {
        resize(part, capacity);
        try (FileChannel c = FileChannel.open(part, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(part, image, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(image.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static void resize(Path file, long bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            if (f.length() < bytes) f.setLength(bytes);
        }
    }

    /** CDI's {@code archive}: a tar unpacked into {@code dir}; only regular files and directories, all inside it. */
    private static void extract(InputStream content, Path dir, long capacity) throws IOException {
        long total = 0;
        java.util.List<Path> made = new java.util.ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(content)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path target = dir.resolve(entry.getName()).normalize();
                if (!target.startsWith(dir) || target.equals(dir)) {
                    if (target.equals(dir)) continue;
                    throw new ImageRefusedException("the archive's entry '" + entry.getName() + "' points outside the volume");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    made.add(target);
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    made.add(target);
                    total += writeSparse(tar, target, capacity - total, "the archive", false);
                } else {
                    throw new ImageRefusedException("the archive's entry '" + entry.getName() + "' is not a regular file or directory");
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Path p : made.reversed()) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> walk = Files.walk(p)) {
                        for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
                    }
                } else {
                    Files.deleteIfExists(p);
                }
            }
            throw e;
        }
    }

    private static String describe(ImageFormat f) {
        return switch (f) {
            case RAW -> "raw data";
            case QCOW2 -> "a qcow2 image";
            case VMDK -> "a vmdk image";
            case VPC -> "a vhd image";
            case VHDX -> "a vhdx image";
            case VDI -> "a vdi image";
        };
    }

    private static String lastSegment(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }

    /** Counts the bytes read from the source and tells the count. */
    private static final class Counting extends FilterInputStream {
        private final LongConsumer listener;
        private long count;

        Counting(InputStream in, LongConsumer listener) {
            super(in);
            this.listener = listener;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) listener.accept(++count);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) listener.accept(count += n);
            return n;
        }
    }
}
