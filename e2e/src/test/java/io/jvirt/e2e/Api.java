package io.jvirt.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * HTTPS and WebSockets to the API server with the server URL, CA and bearer token of a kubeconfig
 * written by {@code jvirt up} (one cluster, one token user). For what kubectl cannot do: console and
 * VNC streams, and quick status polls.
 */
final class Api {
    static final String SUB = "/apis/subresources.kubevirt.io/v1/namespaces/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private final String token;

    private Api(HttpClient http, String base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    static Api of(Path kubeconfig) throws Exception {
        String text = Files.readString(kubeconfig);
        byte[] ca = Base64.getDecoder().decode(field(text, "certificate-authority-data"));
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(ca)));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        return new Api(http, field(text, "server"), field(text, "token"));
    }

    private static String field(String kubeconfig, String name) {
        Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(name) + ":\\s*(\\S+)\\s*$").matcher(kubeconfig);
        if (!m.find()) {
            throw new IllegalArgumentException("kubeconfig has no " + name);
        }
        return m.group(1);
    }

    HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The object at {@code path}, or null when it is 404. */
    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path);
        if (r.statusCode() == 404) {
            return null;
        }
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    JsonNode vm(String name) throws Exception {
        return get("/apis/kubevirt.io/v1/namespaces/default/virtualmachines/" + name);
    }

    JsonNode vmi(String name) throws Exception {
        return get("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances/" + name);
    }

    /** A console or vnc WebSocket of VMI {@code name} in default, opened as virtctl does (plain.kubevirt.io, binary frames). */
    Stream stream(String name, String kind) throws Exception {
        Stream s = new Stream();
        s.ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + token).subprotocols("plain.kubevirt.io")
                .buildAsync(URI.create(base.replace("https://", "wss://") + SUB + "default/virtualmachineinstances/" + name + "/" + kind), s)
                .get(30, TimeUnit.SECONDS);
        return s;
    }

    /** Bytes received so far are kept; {@link #text()} reads them all. */
    static final class Stream implements AutoCloseable, WebSocket.Listener {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private WebSocket ws;

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (received) {
                received.writeBytes(b);
            }
            w.request(1);
            return null;
        }

        String subprotocol() {
            return ws.getSubprotocol();
        }

        void send(String s) {
            ws.sendBinary(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)), true).join();
        }

        String text() {
            synchronized (received) {
                return received.toString(StandardCharsets.ISO_8859_1);
            }
        }

        /** Sends {@code line} and a carriage return once, then waits for {@code expected} in what arrives after. */
        void expect(String line, String expected, Duration timeout) throws Exception {
            int from = text().length();
            send(line + "\r");
            Waits.until("'" + expected + "' on the console after '" + line + "'", timeout, () -> text().indexOf(expected, from) >= 0);
        }

        /** Presses Enter every second until a {@code login:} prompt shows (the guest may still be booting). */
        void awaitLogin(Duration timeout) throws Exception {
            Waits.until("login: on the console", timeout, () -> {
                int from = text().length();
                send("\r");
                Thread.sleep(1000);
                return text().indexOf("login:", from) >= 0;
            });
        }

        /** Runs {@code command} in the logged-in shell and returns the number it prints (the first run of digits after {@code marker=}). */
        long number(String command, String marker) throws Exception {
            int from = text().length();
            expect("echo " + marker + "=$(" + command + ")", marker + "=", Duration.ofSeconds(30));
            java.util.regex.Pattern p = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(marker) + "=(\\d+)");
            Waits.until(marker + " value on the console", Duration.ofSeconds(30), () -> p.matcher(text().substring(from)).find());
            java.util.regex.Matcher m = p.matcher(text().substring(from));
            m.find();
            return Long.parseLong(m.group(1));
        }

        /** Logs in as root (the demo guest's password is jvirt) and waits for the shell prompt. */
        void login(Duration timeout) throws Exception {
            awaitLogin(timeout);
            expect("root", "Password:", Duration.ofSeconds(30));
            expect("jvirt", "# ", Duration.ofSeconds(30));
        }

        @Override
        public void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }
}
