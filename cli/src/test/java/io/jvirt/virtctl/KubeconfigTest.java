package io.jvirt.virtctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Kubeconfig resolution as kubectl does it, and the PEM key forms client certificates come in (made by openssl). */
class KubeconfigTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "flag={0} KUBECONFIG={1} -> {2}")
    @CsvSource(nullValues = "-", value = {
        "/a/flag,  /b/env:/c/env, /a/flag",
        "-,        /b/env:/c/env, /b/env",
        "-,        :/c/env,       /c/env",
        "-,        -,             /home/u/.kube/config",
    })
    void locatesLikeKubectl(String flag, String env, String expected) {
        Map<String, String> environment = new HashMap<>(Map.of("HOME", "/home/u"));
        if (env != null) {
            environment.put("KUBECONFIG", env);
        }
        assertEquals(Path.of(expected), Kubeconfig.locate(flag, environment));
    }

    @Test
    void contextPicksClusterUserAndNamespace() throws Exception {
        Path file = Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: one
                  cluster: {server: "https://one.example:6443/", insecure-skip-tls-verify: true}
                - name: two
                  cluster: {server: "https://two.example:6443", insecure-skip-tls-verify: true}
                users:
                - name: alice
                  user: {token: alice-token}
                - name: bob
                  user: {tokenFile: bob.token}
                contexts:
                - name: first
                  context: {cluster: one, user: alice, namespace: vms}
                - name: second
                  context: {cluster: two, user: bob}
                current-context: first
                """);
        Files.writeString(dir.resolve("bob.token"), "bob-token\n");
        Kubeconfig current = Kubeconfig.load(file, null);
        assertEquals("https://one.example:6443", current.server());
        assertEquals("alice-token", current.token());
        assertEquals("vms", current.namespace());
        Kubeconfig second = Kubeconfig.load(file, "second");
        assertEquals("https://two.example:6443", second.server());
        assertEquals("bob-token", second.token());
        assertEquals("default", second.namespace());
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> Kubeconfig.load(file, "third"));
        assertTrue(e.getMessage().contains("no context named \"third\""), e.getMessage());
        assertThrows(java.io.IOException.class, () -> Kubeconfig.load(dir.resolve("missing"), null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ec-sec1,  'ecparam -name prime256v1 -genkey -noout', EC",
        "ec-pkcs8, 'genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384', EC",
        "rsa-pkcs1, 'genrsa -traditional -out', RSA",
        "rsa-pkcs8, 'genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048', RSA",
    })
    void clientCertificateKeysInEveryPemForm(String name, String openssl, String algorithm) throws Exception {
        Path key = dir.resolve(name + ".key");
        List<String> genKey = new java.util.ArrayList<>(List.of("openssl"));
        genKey.addAll(List.of(openssl.split(" ")));
        if (openssl.endsWith("-out")) {
            genKey.addAll(List.of(key.toString(), "2048")); // genrsa: the size comes last
        } else {
            genKey.addAll(List.of("-out", key.toString()));
        }
        run(genKey);
        Path cert = dir.resolve(name + ".crt");
        run(List.of("openssl", "req", "-new", "-x509", "-key", key.toString(), "-subj", "/CN=alice", "-days", "1", "-out", cert.toString()));
        String pem = Files.readString(key);
        assertTrue(pem.contains(name.endsWith("pkcs8") ? "BEGIN PRIVATE KEY" : name.startsWith("ec") ? "BEGIN EC PRIVATE KEY" : "BEGIN RSA PRIVATE KEY"), pem);
        PrivateKey parsed = PemKeys.privateKey(pem);
        assertEquals(algorithm, parsed.getAlgorithm());

        Path file = Files.writeString(dir.resolve(name + ".config"), """
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: %s}}]
                users: [{name: u, user: {client-certificate: %s, client-key-data: %s}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """.formatted(b64(cert), cert.getFileName(), b64(key)));
        Kubeconfig k = Kubeconfig.load(file, null);
        assertNull(k.token());
        assertEquals("TLS", k.tls().getProtocol());
    }

    @Test
    void aKeyFileWithoutAKeyIsRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PemKeys.privateKey("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
        assertTrue(e.getMessage().contains("no private key"), e.getMessage());
    }

    private static String b64(Path p) throws Exception {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(p));
    }

    private static void run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", argv) + ": " + out);
    }
}
