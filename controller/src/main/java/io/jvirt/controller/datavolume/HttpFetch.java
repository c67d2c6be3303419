package io.jvirt.controller.datavolume;

import io.jvirt.controller.datavolume.image.ImageRefusedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One GET of an {@code http} source: basic auth from the Secret's {@code accessKeyId}/{@code secretKey}, the
 * ConfigMap's PEM certificates as the only trusted CAs (else the JVM's), {@code extraHeaders} as sent
 * ({@code Name: value}), redirects followed. A 2xx answer opens the body; 408, 429 and 5xx are {@link Transient}
 * (retried with backoff), other statuses are refused. Stateless.
 */
final class HttpFetch {
    /** A failure worth retrying: the server or the network, not the request. */
    static final class Transient extends IOException {
        private static final long serialVersionUID = 1L;

        Transient(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The open body and its announced length. */
    record Body(InputStream stream, OptionalLong length) {}

    private HttpFetch() {}

    /**
     * @param username basic-auth user, or null
     * @param caPems PEM certificates to trust instead of the JVM's, or empty
     */
    static Body get(DataVolumeSource.Http source, String username, String password, List<String> caPems)
            throws IOException, InterruptedException {
        HttpClient.Builder builder = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30));
        if (!caPems.isEmpty()) builder.sslContext(trusting(caPems));
        HttpRequest.Builder request = HttpRequest.newBuilder(source.url()).GET();
        if (username != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8)));
        }
        for (String h : source.extraHeaders()) {
            int colon = h.indexOf(':');
            if (colon <= 0) throw new ImageRefusedException("spec.source.http.extraHeaders: '" + h + "' is not 'Name: value'");
            try {
                request.header(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new ImageRefusedException("spec.source.http.extraHeaders: '" + h.substring(0, colon) + "' cannot be sent: " + e.getMessage());
            }
        }
        HttpResponse<InputStream> response;
        HttpClient client = builder.build();
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            client.shutdownNow();
            throw new Transient("GET " + source.url() + " failed: " + e, e);
        }
        int code = response.statusCode();
        if (code / 100 == 2) {
            InputStream body = new java.io.FilterInputStream(response.body()) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        client.shutdownNow();
                    }
                }
            };
            return new Body(body, response.headers().firstValueAsLong("Content-Length"));
        }
        response.body().close();
        client.shutdownNow();
        String message = "GET " + source.url() + " answered HTTP " + code;
        if (code == 408 || code == 429 || code >= 500) throw new Transient(message, null);
        throw new ImageRefusedException(message + (code == 401 || code == 403 ? " (check spec.source.http.secretRef)" : ""));
    }

    private static SSLContext trusting(List<String> pems) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            int i = 0;
            for (String pem : pems) {
                for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                    store.setCertificateEntry("ca-" + i++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new ImageRefusedException("spec.source.http.certConfigMap does not hold usable PEM certificates: " + e.getMessage());
        }
    }
}
