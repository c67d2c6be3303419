package io.jvirt.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builds OCI image layouts for tests: layers of named files (content as text; a null content is a symlink). */
final class LayoutBuilder {
    private final List<String> layers = new ArrayList<>();
    private final Path dir;

    LayoutBuilder(Path dir) {
        this.dir = dir;
    }

    /** Adds a layer; {@code gzip} chooses its media type. */
    LayoutBuilder layer(boolean gzip, Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = gzip ? new GZIPOutputStream(bytes) : bytes; TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                if (f.getValue() == null) {
                    TarArchiveEntry link = new TarArchiveEntry(f.getKey(), TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName("/etc/passwd");
                    tar.putArchiveEntry(link);
                } else {
                    byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                    e.setSize(content.length);
                    tar.putArchiveEntry(e);
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
        }
        byte[] blob = bytes.toByteArray();
        Digest d = store(blob);
        layers.add("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar" + (gzip ? "+gzip" : "") + "\",\"digest\":\"" + d
                + "\",\"size\":" + blob.length + "}");
        return this;
    }

    LayoutBuilder layer(boolean gzip, String... namesAndContents) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            files.put(namesAndContents[i], namesAndContents[i + 1]);
        }
        return layer(gzip, files);
    }

    /** Writes the manifest and {@code index.json}; returns the layout directory. */
    Path build() throws IOException {
        Digest config = store("{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":36},\"layers\":[" + String.join(",", layers) + "]}")
                .getBytes(StandardCharsets.UTF_8);
        Digest m = store(manifest);
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + m + "\",\"size\":" + manifest.length + "}]}");
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return dir;
    }

    /** The blob file of layer {@code i} (to corrupt it). */
    Path layerBlob(int i) {
        String json = layers.get(i);
        String digest = json.substring(json.indexOf("sha256:") + 7, json.indexOf("sha256:") + 71);
        return dir.resolve("blobs/sha256").resolve(digest);
    }

    private Digest store(byte[] content) throws IOException {
        Digest d = Digest.sha256(content);
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.write(dir.resolve("blobs/sha256").resolve(d.hex()), content);
        return d;
    }
}
