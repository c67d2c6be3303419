package io.jvirt.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;

/** QEMU's version as QMP reports it ({@code query-version} and the greeting). {@code pkg} is the distribution suffix. */
public record QemuVersion(int major, int minor, int micro, String pkg) {
    static QemuVersion fromJson(JsonNode v) {
        JsonNode q = v.path("qemu");
        return new QemuVersion(q.path("major").asInt(), q.path("minor").asInt(), q.path("micro").asInt(),
                v.path("package").asText(""));
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + micro + (pkg.isEmpty() ? "" : " (" + pkg.strip() + ")");
    }
}
