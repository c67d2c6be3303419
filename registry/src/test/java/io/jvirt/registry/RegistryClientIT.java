package io.jvirt.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The client against Debian's docker-registry on loopback, images pushed by skopeo (an independent client): the
 * demo containerDisk as OCI and as Docker schema 2, by tag, by digest and through a mirror; a wrong name; htpasswd
 * auth; a blob the registry's storage corrupted.
 */
class RegistryClientIT {
    private static final Path DEMO = Path.of(System.getProperty("jvirt.build.dir", "../build")).resolve("images/demo");
    @TempDir
    Path tmp;

    private static Map<String, Path> disk(ImageSource source, Path staging) {
        return ImageFiles.extract(source, source.resolve(), ImageFiles.diskFilter(null), staging);
    }

    @ParameterizedTest(name = "[{index}] pushed as {0}")
    @CsvSource({"oci, application/vnd.oci.image.manifest.v1+json", "v2s2, application/vnd.docker.distribution.manifest.v2+json"})
    void pullsTheDemoDiskByTagDigestAndMirror(String format, String mediaType) throws Exception {
        assumeTrue(Files.isDirectory(DEMO.resolve("containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        try (LoopbackRegistry registry = LoopbackRegistry.start(null)) {
            registry.push(DEMO.resolve("containerdisk"), "jvirt/demo-" + format + ":v1", format);
            RegistryClient client = new RegistryClient(new RegistryConfig(Map.of("registry:5000", registry.host()), Set.of()));
            ImageSource source = client.open(ImageReference.parse("registry:5000/jvirt/demo-" + format + ":v1"), null);
            Manifest.Image image = source.resolve();
            assertEquals(mediaType, image.mediaType());
            assertTrue(source.describe().contains("mirror of registry:5000"), source.describe());
            Map<String, Path> files = disk(source, tmp.resolve("a"));
            assertEquals(List.of("disk/demo.qcow2"), List.copyOf(files.keySet()));
            assertEquals(-1, Files.mismatch(DEMO.resolve("demo.qcow2"), files.get("disk/demo.qcow2")), "the disk arrives byte for byte");

            ImageSource byDigest = client.open(ImageReference.parse(registry.host() + "/jvirt/demo-" + format + "@" + image.digest()), null);
            assertEquals(image, byDigest.resolve());
        }
    }

    @Test
    void aWrongNameIsNotFoundWithTheRegistrysMessage() throws Exception {
        try (LoopbackRegistry registry = LoopbackRegistry.start(null)) {
            RegistryClient client = new RegistryClient(RegistryConfig.DEFAULT);
            ImageException e = assertThrows(ImageException.class, () -> client.open(ImageReference.parse(registry.host() + "/no/such:1"), null).resolve());
            assertEquals(ImageException.Kind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains("NAME_UNKNOWN") || e.getMessage().contains("MANIFEST_UNKNOWN"), e.getMessage());
            assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        }
    }

    @Test
    void htpasswdAuthNeedsTheRightCredentials() throws Exception {
        assumeTrue(Files.isDirectory(DEMO.resolve("containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        Credentials alice = new Credentials("alice", "wonder-land");
        try (LoopbackRegistry registry = LoopbackRegistry.start(alice)) {
            String image = registry.push(DEMO.resolve("containerdisk"), "private/demo:1", "oci");
            RegistryClient client = new RegistryClient(RegistryConfig.DEFAULT);
            ImageReference ref = ImageReference.parse(image);
            ImageException anonymous = assertThrows(ImageException.class, () -> client.open(ref, null).resolve());
            assertEquals(ImageException.Kind.UNAUTHORIZED, anonymous.kind());
            assertTrue(anonymous.getMessage().contains("no credentials"), anonymous.getMessage());
            ImageException wrong = assertThrows(ImageException.class, () -> client.open(ref, new Credentials("alice", "nope")).resolve());
            assertEquals(ImageException.Kind.UNAUTHORIZED, wrong.kind());
            assertTrue(wrong.getMessage().contains("HTTP 401"), wrong.getMessage());
            assertEquals(List.of("disk/demo.qcow2"), List.copyOf(disk(client.open(ref, alice), tmp.resolve("s")).keySet()));
        }
    }

    @Test
    void bearerTokenAuthFetchesATokenFromTheRealmWithTheCredentials() throws Exception {
        assumeTrue(Files.isDirectory(DEMO.resolve("containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        Credentials dave = new Credentials("dave", "token-please");
        try (LoopbackRegistry registry = LoopbackRegistry.startWithTokenAuth(dave)) {
            ImageReference ref = ImageReference.parse(registry.push(DEMO.resolve("containerdisk"), "tokened/demo:1", "oci"));
            RegistryClient client = new RegistryClient(RegistryConfig.DEFAULT);
            int before = registry.tokensIssued();
            ImageException anonymous = assertThrows(ImageException.class, () -> client.open(ref, null).resolve());
            assertEquals(ImageException.Kind.UNAUTHORIZED, anonymous.kind());
            assertTrue(anonymous.getMessage().contains("refused a token (HTTP 401): UNAUTHORIZED: bad or no credentials"), anonymous.getMessage());
            ImageSource source = client.open(ref, dave);
            assertEquals(List.of("disk/demo.qcow2"), List.copyOf(disk(source, tmp.resolve("t")).keySet()));
            assertEquals(before + 1, registry.tokensIssued(), "one token serves the manifest and every blob of the repository");
        }
    }

    @Test
    void aBlobTheRegistryServesCorruptIsRefusedAndNothingIsLeft() throws Exception {
        assumeTrue(Files.isDirectory(DEMO.resolve("containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        try (LoopbackRegistry registry = LoopbackRegistry.start(null)) {
            ImageSource source = new RegistryClient(RegistryConfig.DEFAULT)
                    .open(ImageReference.parse(registry.push(DEMO.resolve("containerdisk"), "jvirt/corrupt:1", "oci")), null);
            Manifest.Image image = source.resolve();
            Path blob = registry.blobFile(image.layers().get(0).digest());
            byte[] bytes = Files.readAllBytes(blob);
            bytes[bytes.length / 3] ^= 0x01; // same size, one bit off
            Files.write(blob, bytes);
            ImageException e = assertThrows(ImageException.class, () -> disk(source, tmp.resolve("staging")));
            assertEquals(ImageException.Kind.DIGEST_MISMATCH, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("blob " + image.layers().get(0).digest() + " from registry " + registry.host()
                    + " does not match its digest"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("staging")));
        }
    }
}
