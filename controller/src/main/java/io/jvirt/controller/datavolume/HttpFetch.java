package io.jvirt.controller.datavolume;

import io.jvirt.controller.datavolume.image.ImageRefusedException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * One GET of an {@code http} source: basic auth from the Secret's {@code accessKeyId}/{@code secretKey}, the
 * ConfigMap's PEM certificates as the only trusted CAs (else the JVM's), {@code extraHeaders} as sent
 * ({@code Name: value}), up to {@value #REDIRECTS} redirects followed (never from https to http). A 2xx answer opens
 * the body; 408, 429, 5xx, a failed connection and {@link #STALL} without a byte are {@link Transient} (retried with
 * backoff), other statuses are refused. Stateless.
 *
 * <p>A blocking {@link HttpURLConnection} read straight into the caller's buffer: on these machines it moved a
 * loopback body about twice as fast as {@code java.net.http.HttpClient}'s {@code ofInputStream} (16 KiB reads
 * through a queue), close to curl (bench/run import). The reading thread may be a virtual one; interrupting it
 * closes the connection.
 */
final class HttpFetch {
    static final int REDIRECTS = 5;
    static final Duration CONNECT = Duration.ofSeconds(30);
    /** No byte for this long: the server stalled, the GET is retried. */
    static final Duration STALL = Duration.ofSeconds(60);
    /** Headers HttpURLConnection would drop silently: refused instead, so the user learns it. */
    private static final Set<String> RESTRICTED = Set.of("access-control-request-headers", "access-control-request-method", "connection",
            "content-length", "content-transfer-encoding", "expect", "host", "keep-alive", "origin", "trailer", "transfer-encoding", "upgrade", "via");

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
    static Body get(DataVolumeSource.Http source, String username, String password, List<String> caPems) throws IOException {
        SSLSocketFactory tls = caPems.isEmpty() ? null : trusting(caPems).getSocketFactory();
        URI url = source.url();
        for (int hop = 0; ; hop++) {
            HttpURLConnection c = open(url, source, username, password, tls);
            int code;
            try {
                code = c.getResponseCode();
            } catch (IOException e) {
                c.disconnect();
                throw new Transient("GET " + url + " failed: " + e, e);
            }
            if (code / 100 == 2) {
                long length = c.getContentLengthLong();
                InputStream body;
                try {
                    body = c.getInputStream();
                } catch (IOException e) {
                    c.disconnect();
                    throw new Transient("GET " + url + " failed: " + e, e);
                }
                return new Body(new FilterInputStream(body) {
                    @Override
                    public void close() {
                        c.disconnect();
                    }
                }, length < 0 ? OptionalLong.empty() : OptionalLong.of(length));
            }
            String location = c.getHeaderField("Location");
            c.disconnect();
            if (code / 100 == 3 && code != 304 && location != null) {
                if (hop == REDIRECTS) throw new ImageRefusedException("GET " + source.url() + ": more than " + REDIRECTS + " redirects");
                URI next = url.resolve(location);
                if (!"http".equals(next.getScheme()) && !"https".equals(next.getScheme())
                        || "https".equals(url.getScheme()) && "http".equals(next.getScheme())) {
                    throw new ImageRefusedException("GET " + url + " redirects to " + next + ", which is not followed");
                }
                url = next;
                continue;
            }
            String message = "GET " + url + " answered HTTP " + code;
            if (code == 408 || code == 429 || code >= 500) throw new Transient(message, null);
            throw new ImageRefusedException(message + (code == 401 || code == 403 ? " (check spec.source.http.secretRef)" : ""));
        }
    }

    private static HttpURLConnection open(URI url, DataVolumeSource.Http source, String username, String password, SSLSocketFactory tls)
            throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
        if (tls != null && c instanceof HttpsURLConnection https) https.setSSLSocketFactory(tls);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout((int) CONNECT.toMillis());
        c.setReadTimeout((int) STALL.toMillis());
        if (username != null) {
            c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8)));
        }
        for (String h : source.extraHeaders()) {
            int colon = h.indexOf(':');
            if (colon <= 0) throw new ImageRefusedException("spec.source.http.extraHeaders: '" + h + "' is not 'Name: value'");
            String name = h.substring(0, colon).strip();
            if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new ImageRefusedException("spec.source.http.extraHeaders: '" + name + "' cannot be sent: restricted header name");
            }
            try {
                c.setRequestProperty(name, h.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new ImageRefusedException("spec.source.http.extraHeaders: '" + name + "' cannot be sent: " + e.getMessage());
            }
        }
        return c;
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
