package io.jvirt.qemu.img;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code qemu-img info --output=json} says about one image (its own header only; qemu-img
 * does not open the backing file for this).
 *
 * @param image           the file inspected
 * @param format          its format (as pinned by the caller)
 * @param virtualSize     the guest-visible size in bytes
 * @param actualSize      bytes allocated on the host
 * @param backingFile     the backing file named in the header, or null
 * @param backingFormat   the backing file's format named in the header, or null
 * @param dataFile        qcow2's external data file, or null
 * @param externalExtents vmdk extents stored in files other than the image itself
 */
public record ImageInfo(Path image, ImageFormat format, long virtualSize, long actualSize,
                        String backingFile, String backingFormat, String dataFile, List<String> externalExtents) {
    public ImageInfo {
        externalExtents = List.copyOf(externalExtents);
    }

    /** True if reading the image would read some other file (backing file, data file, extents). */
    public boolean refersToOtherFiles() {
        return backingFile != null || dataFile != null || !externalExtents.isEmpty();
    }

    static ImageInfo fromJson(Path image, JsonNode json) {
        JsonNode specific = json.path("format-specific").path("data");
        String ownName = json.path("filename").asText();
        List<String> extents = new ArrayList<>();
        for (JsonNode extent : specific.path("extents")) {
            String name = extent.path("filename").asText();
            if (!name.equals(ownName)) {
                extents.add(name);
            }
        }
        return new ImageInfo(image, ImageFormat.fromQemu(json.path("format").asText()),
                json.path("virtual-size").asLong(), json.path("actual-size").asLong(),
                text(json, "backing-filename"), text(json, "backing-filename-format"),
                text(specific, "data-file"), extents);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
