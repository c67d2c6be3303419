package io.jvirt.apiserver.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Codec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CRD YAMLs shipped in the api module (the same files cluster mode applies): {@code io/jvirt/api/crds/*.yaml},
 * generated from KubeVirt's API spec, and {@code io/jvirt/api/crds-cni/*.yaml}, Multus' NetworkAttachmentDefinition,
 * read from the class path whether it is a directory or a jar. Every YAML document of kind
 * CustomResourceDefinition is returned, by location, then in file-name order.
 */
public final class BundledCrds {
    static final List<String> LOCATIONS = List.of("io/jvirt/api/crds", "io/jvirt/api/crds-cni");

    private BundledCrds() {}

    public static List<ObjectNode> load() throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (String location : LOCATIONS) {
            load(location, out);
        }
        return out;
    }

    private static void load(String location, List<ObjectNode> out) throws IOException {
        URL url = BundledCrds.class.getClassLoader().getResource(location);
        if (url == null) return;
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                FileSystem fs;
                try {
                    fs = FileSystems.getFileSystem(uri);
                } catch (FileSystemNotFoundException e) {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                }
                readDir(fs.getPath(location), out);
            } else {
                readDir(Path.of(uri), out);
            }
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static void readDir(Path dir, List<ObjectNode> out) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .sorted().toList();
        }
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f); var parser = Codec.YAML.getFactory().createParser(in)) {
                var it = Codec.YAML.readValues(parser, JsonNode.class);
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc != null && doc.isObject() && "CustomResourceDefinition".equals(doc.path("kind").asText())) out.add((ObjectNode) doc);
                }
            }
        }
    }
}
