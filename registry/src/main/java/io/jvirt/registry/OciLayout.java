package io.jvirt.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An image in a local OCI image layout directory ({@code oci-layout}, {@code index.json}, {@code blobs/<alg>/<hex>}):
 * the entry of {@code index.json} whose {@code org.opencontainers.image.ref.name} is the tag asked for, else its
 * first entry; nested indexes resolved to linux/amd64. Manifests and blobs are checked like a registry's.
 * Immutable; reads the directory on each call.
 */
public final class OciLayout implements ImageSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REF_NAME = "org.opencontainers.image.ref.name";
    private final Path dir;
    private final String tag;

    /** @param tag the tag to look for among the layout's ref names, or null for its first entry */
    public OciLayout(Path dir, String tag) {
        this.dir = dir;
        this.tag = tag;
    }

    @Override
    public String describe() {
        return "OCI layout " + dir;
    }

    @Override
    public Manifest.Image resolve() {
        JsonNode index;
        try {
            index = JSON.readTree(dir.resolve("index.json").toFile());
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.NOT_FOUND, "cannot read " + dir.resolve("index.json") + ": " + e.getMessage(), e);
        }
        JsonNode chosen = null;
        for (JsonNode m : index.path("manifests")) {
            if (tag != null && tag.equals(m.path("annotations").path(REF_NAME).asText(null))) {
                chosen = m;
                break;
            }
            chosen = chosen == null ? m : chosen;
        }
        if (chosen == null) {
            throw new ImageException(ImageException.Kind.NOT_FOUND, "no manifest in " + dir.resolve("index.json"));
        }
        Descriptor entry = Descriptor.of(chosen, dir.resolve("index.json").toString());
        for (int depth = 0; depth < 4; depth++) {
            Manifest m = Manifest.parse(verifiedBytes(entry), entry.mediaType());
            if (m instanceof Manifest.Image image) {
                return image;
            }
            entry = ((Manifest.Index) m).forNode();
        }
        throw new ImageException(ImageException.Kind.UNSUPPORTED, "indexes nested too deep in " + dir);
    }

    @Override
    public InputStream openBlob(Descriptor blob) {
        Path file = dir.resolve("blobs").resolve(blob.digest().algorithm()).resolve(blob.digest().hex());
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new ImageException(ImageException.Kind.NOT_FOUND, "blob " + blob.digest() + " missing in " + describe(), e);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.UNAVAILABLE, "cannot read blob " + blob.digest() + " in " + describe() + ": " + e.getMessage(), e);
        }
    }

    private byte[] verifiedBytes(Descriptor d) {
        try (VerifyingInputStream in = new VerifyingInputStream(openBlob(d), d, describe())) {
            byte[] bytes = in.readNBytes(4 << 20);
            in.verify();
            return bytes;
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.UNAVAILABLE, "cannot read " + d.digest() + " in " + describe() + ": " + e.getMessage(), e);
        }
    }
}
