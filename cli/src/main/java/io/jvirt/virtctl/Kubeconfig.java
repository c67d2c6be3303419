package io.jvirt.virtctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The cluster, user and namespace a kubeconfig names, resolved as kubectl does: {@code --kubeconfig},
 * else the first file of {@code $KUBECONFIG}, else {@code ~/.kube/config}; {@code --context}, else the
 * current context. Credentials: bearer token (or token file) or client certificate and key (PEM: PKCS#8,
 * PKCS#1 RSA, SEC1 EC); server trust from the CA data or file, or none with insecure-skip-tls-verify.
 *
 * @param server the API server URL without a trailing slash
 * @param namespace the context's namespace, {@code default} when it names none
 */
public record Kubeconfig(Path file, String server, String namespace, String token, SSLContext tls) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Where kubectl would read the kubeconfig from. */
    public static Path locate(String flag, Map<String, String> env) {
        if (flag != null && !flag.isEmpty()) {
            return Path.of(flag);
        }
        String list = env.get("KUBECONFIG");
        if (list != null && !list.isBlank()) {
            for (String f : list.split(":")) {
                if (!f.isBlank()) {
                    return Path.of(f);
                }
            }
        }
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".kube", "config");
    }

    /** Reads {@code file} and resolves {@code context} (null: the current one). */
    public static Kubeconfig load(Path file, String context) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("no kubeconfig at " + file + " (set --kubeconfig or KUBECONFIG; jvirt writes $JVIRT_HOME/kubeconfig)");
        }
        JsonNode root = YAML.readTree(file.toFile());
        String ctxName = context != null && !context.isEmpty() ? context : root.path("current-context").asText("");
        JsonNode ctx = named(root, "contexts", ctxName, "context", file);
        JsonNode cluster = named(root, "clusters", ctx.path("cluster").asText(), "cluster", file);
        JsonNode user = ctx.path("user").asText("").isEmpty() ? YAML.createObjectNode() : named(root, "users", ctx.path("user").asText(), "user", file);
        Path dir = file.toAbsolutePath().getParent();
        String server = cluster.path("server").asText("");
        if (server.isEmpty()) {
            throw new IOException(file + ": cluster " + ctx.path("cluster").asText() + " has no server");
        }
        String token = user.path("token").asText(null);
        if (token == null && user.hasNonNull("tokenFile")) {
            token = Files.readString(dir.resolve(user.path("tokenFile").asText())).strip();
        }
        try {
            SSLContext tls = tls(cluster, user, dir);
            return new Kubeconfig(file, server.replaceAll("/+$", ""), ctx.path("namespace").asText("default"), token, tls);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode named(JsonNode root, String list, String name, String field, Path file) throws IOException {
        for (JsonNode item : root.path(list)) {
            if (name.equals(item.path("name").asText())) {
                return item.path(field);
            }
        }
        throw new IOException(file + ": no " + field + " named \"" + name + "\"");
    }

    private static SSLContext tls(JsonNode cluster, JsonNode user, Path dir) throws Exception {
        TrustManager[] trust;
        if (cluster.path("insecure-skip-tls-verify").asBoolean(false)) {
            trust = new TrustManager[] {new TrustAll()};
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        } else {
            byte[] ca = pem(cluster, "certificate-authority-data", "certificate-authority", dir);
            if (ca == null) {
                trust = null; // the JDK's default trust store
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                int i = 0;
                for (Certificate c : certificates(ca)) {
                    ks.setCertificateEntry("ca" + i++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                trust = tmf.getTrustManagers();
            }
        }
        javax.net.ssl.KeyManager[] keys = null;
        byte[] cert = pem(user, "client-certificate-data", "client-certificate", dir);
        byte[] key = pem(user, "client-key-data", "client-key", dir);
        if (cert != null && key != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            PrivateKey privateKey = PemKeys.privateKey(new String(key, StandardCharsets.US_ASCII));
            ks.setKeyEntry("client", privateKey, new char[0], certificates(cert).toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            keys = kmf.getKeyManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, trust, new SecureRandom());
        return ctx;
    }

    /** The PEM bytes of {@code dataField} (base64) or of the file {@code fileField} names, or null. */
    private static byte[] pem(JsonNode node, String dataField, String fileField, Path dir) throws IOException {
        if (node.hasNonNull(dataField)) {
            return Base64.getMimeDecoder().decode(node.get(dataField).asText());
        }
        if (node.hasNonNull(fileField)) {
            return Files.readAllBytes(dir.resolve(node.get(fileField).asText()));
        }
        return null;
    }

    private static Collection<? extends Certificate> certificates(byte[] pem) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
    }

    /** insecure-skip-tls-verify: trusts every server certificate (as kubectl does with that setting). */
    static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
