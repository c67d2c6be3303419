package io.jvirt.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestTest {
    static final String A = "sha256:" + "a".repeat(64);
    static final String B = "sha256:" + "b".repeat(64);
    static final String C = "sha256:" + "c".repeat(64);

    private static Manifest parse(String json, String contentType) {
        return Manifest.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), contentType);
    }

    private static String image(String mediaType, String layerType) {
        return "{'schemaVersion':2," + (mediaType.isEmpty() ? "" : "'mediaType':'" + mediaType + "',")
                + "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" + A + "','size':10},"
                + "'layers':[{'mediaType':'" + layerType + "','digest':'" + B + "','size':20},{'mediaType':'" + layerType + "','digest':'" + C + "','size':30}]}";
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            application/vnd.oci.image.manifest.v1+json                | application/vnd.oci.image.layer.v1.tar+gzip          | -
            application/vnd.oci.image.manifest.v1+json                | application/vnd.oci.image.layer.v1.tar               | -
            application/vnd.docker.distribution.manifest.v2+json      | application/vnd.docker.image.rootfs.diff.tar.gzip    | -
            ''                                                        | application/vnd.oci.image.layer.v1.tar+gzip          | application/vnd.oci.image.manifest.v1+json
            ''                                                        | application/vnd.oci.image.layer.v1.tar+gzip          | -
            """)
    void readsImageManifests(String mediaType, String layerType, String contentType) {
        Manifest.Image m = assertInstanceOf(Manifest.Image.class, parse(image(mediaType, layerType), contentType));
        assertEquals(A, m.config().digest().toString());
        assertEquals(2, m.layers().size());
        assertEquals(B, m.layers().get(0).digest().toString());
        assertEquals(30, m.layers().get(1).size());
        assertEquals(Digest.sha256(image(mediaType, layerType).replace('\'', '"').getBytes(StandardCharsets.UTF_8)), m.digest());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            application/vnd.oci.image.index.v1+json                   | linux,arm64;linux,amd64;linux,amd64 | 2
            application/vnd.docker.distribution.manifest.list.v2+json | linux,amd64                         | 1
            ''                                                        | windows,amd64;linux,amd64           | 2
            application/vnd.oci.image.index.v1+json                   | linux,arm64;linux,s390x             | -
            """)
    void indexesResolveToLinuxAmd64(String mediaType, String platforms, Integer chosen) {
        StringBuilder entries = new StringBuilder();
        String[] list = platforms.split(";");
        for (int i = 0; i < list.length; i++) {
            String[] p = list[i].split(",");
            String digest = "sha256:" + String.valueOf((char) ('1' + i)).repeat(64);
            entries.append(i == 0 ? "" : ",").append("{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'").append(digest)
                    .append("','size':5,'platform':{'os':'").append(p[0]).append("','architecture':'").append(p[1]).append("'}}");
        }
        Manifest.Index index = assertInstanceOf(Manifest.Index.class, parse("{'schemaVersion':2," + (mediaType.isEmpty() ? "" : "'mediaType':'"
                + mediaType + "',") + "'manifests':[" + entries + "]}", null));
        if (chosen == null) {
            ImageException e = assertThrows(ImageException.class, index::forNode);
            assertTrue(e.getMessage().contains("no linux/amd64 image in the index (it has: linux/arm64, linux/s390x)"), e.getMessage());
            return;
        }
        assertEquals("sha256:" + String.valueOf((char) ('0' + chosen)).repeat(64), index.forNode().digest().toString());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {'schemaVersion':1,'name':'a','fsLayers':[]}                                                  | Docker schema 1
            {'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.v1+prettyjws'}   | Docker schema 1
            {'schemaVersion':3,'layers':[]}                                                               | schemaVersion must be 2
            {'schemaVersion':2,'mediaType':'text/html','layers':[]}                                       | unsupported manifest media type text/html
            {'schemaVersion':2,'config':{}}                                                               | no layers
            {'schemaVersion':2,'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+zstd','digest':'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}]} | unsupported layer media type application/vnd.oci.image.layer.v1.tar+zstd
            {'schemaVersion':2,'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:xyz'}]} | layer: invalid sha256 digest
            [1,2]                                                                                         | not a JSON object
            <html>                                                                                        | not JSON
            """)
    void refusesWhatItCannotRead(String json, String reason) {
        ImageException e = assertThrows(ImageException.class, () -> parse(json, null));
        assertEquals(ImageException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
