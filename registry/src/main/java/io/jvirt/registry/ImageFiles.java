package io.jvirt.registry;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Files of an image as its layers stack them: every layer is streamed once (digest and size checked as it is
 * read, gzip undone), the regular files whose path a filter wants are written to a staging directory, a later
 * layer's file replaces an earlier one's and whiteouts ({@code .wh.<name>}, {@code .wh..wh..opq}) remove them.
 * Paths are relative, without {@code ./} or a leading {@code /}; entries naming {@code ..} are ignored; links and
 * devices are never extracted. Stateless.
 */
public final class ImageFiles {
    private ImageFiles() {}

    /**
     * Extracts the files {@code wanted} accepts into {@code staging} (created; its previous content removed).
     *
     * @return path in the image → extracted file, sorted by path
     * @throws ImageException DIGEST_MISMATCH (or another kind) — {@code staging} is then removed whole: nothing of a
     *     refused image is left behind
     */
    public static Map<String, Path> extract(ImageSource source, Manifest.Image image, Predicate<String> wanted, Path staging) {
        try {
            deleteTree(staging);
            Files.createDirectories(staging);
            Map<String, Path> files = new TreeMap<>();
            int counter = 0;
            for (Descriptor layer : image.layers()) {
                MediaTypes.Compression compression = MediaTypes.layerCompression(layer.mediaType());
                try (VerifyingInputStream blob = new VerifyingInputStream(source.openBlob(layer), layer, source.describe())) {
                    InputStream buffered = new BufferedInputStream(blob, 1 << 16);
                    try {
                        InputStream tarStream = compression == MediaTypes.Compression.GZIP ? new GZIPInputStream(buffered, 1 << 16) : buffered;
                        counter = extractLayer(new TarArchiveInputStream(tarStream), wanted, staging, files, counter);
                    } catch (IOException unreadable) {
                        blob.verify(); // bytes that do not match their digest are the cause to report
                        throw unreadable;
                    }
                    blob.verify();
                }
            }
            return files;
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(staging);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof ImageException ie) {
                throw ie;
            }
            throw new ImageException(ImageException.Kind.UNSUPPORTED, "cannot read the layers of the image from " + source.describe() + ": "
                    + e.getMessage(), e);
        }
    }

    /** One layer's tar: the wanted files into {@code staging}, whiteouts applied. Returns the next file counter. */
    private static int extractLayer(TarArchiveInputStream tar, Predicate<String> wanted, Path staging, Map<String, Path> files, int counter)
            throws IOException {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = normalize(e.getName());
            if (name == null) {
                continue;
            }
            String base = name.substring(name.lastIndexOf('/') + 1);
            String parent = name.substring(0, name.length() - base.length());
            if (base.equals(".wh..wh..opq")) {
                removeUnder(files, parent);
            } else if (base.startsWith(".wh.")) {
                String gone = parent + base.substring(4);
                remove(files, gone);
                removeUnder(files, gone + "/");
            } else if (isRegularFile(e) && wanted.test(name)) {
                Path target = staging.resolve("f" + counter++);
                Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                remove(files, name);
                files.put(name, target);
            } else if (!e.isDirectory()) {
                remove(files, name); // a later layer's link, device or unwanted file hides an earlier file
            }
        }
        return counter;
    }

    /**
     * KubeVirt's rule for a containerDisk: the file at {@code path} when one is given, else the first file (by name)
     * directly under {@code disk/}.
     */
    public static Predicate<String> diskFilter(String path) {
        String wanted = path == null || path.isEmpty() ? null : normalize(path);
        return name -> wanted != null ? name.equals(wanted) : name.startsWith("disk/") && name.indexOf('/', 5) < 0 && name.length() > 5;
    }

    /** {@code ./a/b}, {@code /a/b} → {@code a/b}; null for the root and names with {@code ..}. */
    public static String normalize(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.startsWith("./") ? n.substring(2) : n.substring(1);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty() || n.equals(".")) {
            return null;
        }
        for (String part : n.split("/")) {
            if (part.equals("..") || part.isEmpty() || part.equals(".")) {
                return null;
            }
        }
        return n;
    }

    /** A plain file by its type flag (commons-compress's {@code isFile()} also says yes to symlinks). */
    private static boolean isRegularFile(TarArchiveEntry e) {
        byte flag = e.getLinkFlag();
        return flag == TarArchiveEntry.LF_NORMAL || flag == TarArchiveEntry.LF_OLDNORM || flag == TarArchiveEntry.LF_CONTIG;
    }

    private static void remove(Map<String, Path> files, String name) throws IOException {
        Path old = files.remove(name);
        if (old != null) {
            Files.deleteIfExists(old);
        }
    }

    private static void removeUnder(Map<String, Path> files, String prefix) throws IOException {
        List<String> gone = new ArrayList<>();
        for (String n : files.keySet()) {
            if (n.startsWith(prefix)) {
                gone.add(n);
            }
        }
        for (String n : gone) {
            remove(files, n);
        }
    }

    /** Removes {@code dir} and everything in it; nothing when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
