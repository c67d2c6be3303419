package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A Secret's write-only {@code stringData}, merged into {@code data} (base64, stringData winning) and dropped, as
 * kube-apiserver's conversion does on create and update, so the data rules and the store see one map. Idempotent.
 */
public final class SecretStringData implements MutatingAdmitter {
    @Override
    public boolean handles(AdmissionRequest r) {
        return r.operation() != Operation.DELETE && r.subresource() == null && r.type().group().isEmpty() && r.type().kind().equals("Secret");
    }

    @Override
    public void mutate(AdmissionRequest r) {
        ObjectNode secret = r.object();
        JsonNode stringData = secret.get("stringData");
        if (stringData == null || !stringData.isObject() || secret.hasNonNull("data") && !secret.get("data").isObject()) return;
        for (Map.Entry<String, JsonNode> e : stringData.properties()) {
            if (!e.getValue().isTextual()) return; // the schema refuses it (400)
        }
        ObjectNode data = secret.withObjectProperty("data");
        for (Map.Entry<String, JsonNode> e : stringData.properties()) {
            data.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        }
        secret.remove("stringData");
    }
}
