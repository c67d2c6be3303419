package io.jvirt.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Reads the checked-in CRDs from the class path, as the API server does. */
final class CrdFiles {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private CrdFiles() {}

    static List<String> names() {
        return CrdGenerator.KINDS.stream().map(CrdKind::fileName).toList();
    }

    static JsonNode read(String fileName) {
        String resource = "io/jvirt/api/crds/" + fileName;
        try (InputStream in = CrdFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("not on the class path: " + resource);
            }
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode schema(JsonNode crd) {
        return crd.path("spec").path("versions").path(0).path("schema").path("openAPIV3Schema");
    }
}
