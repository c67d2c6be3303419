package io.jvirt.controller.datavolume;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvirt.api.storage.UploadRelay;
import io.jvirt.controller.reconcile.Key;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;

/**
 * The controller's end of the upload relay ({@link UploadRelay}): an HTTP server on loopback that takes the bytes
 * the API server accepted for a claim and writes them into its volume through
 * {@link DataVolumeController#startUpload} (the same checks as an import). Answers 200 when the volume holds the
 * image, 400 with the reason when the claim takes no upload or the content was refused, 401 without the relay
 * token, 500 on an I/O failure. One virtual thread per upload; {@link #close} stops it.
 */
public final class UploadReceiver implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UploadReceiver.class.getName());
    private final HttpServer server;
    private final String token;
    private final DataVolumeController dataVolumes;

    public UploadReceiver(DataVolumeController dataVolumes) throws IOException {
        this.dataVolumes = dataVolumes;
        byte[] t = new byte[24];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/upload/", this::receive);
        server.start();
    }

    /** Creates or replaces the Secret that tells the API server where this receiver listens. */
    public void publish(KubernetesClient client) {
        Secret s = new SecretBuilder().withNewMetadata().withName(UploadRelay.SECRET_NAME).withNamespace(UploadRelay.SECRET_NAMESPACE)
                .addToLabels("app", "containerized-data-importer").endMetadata().withType("Opaque")
                .withData(Map.of(UploadRelay.ENDPOINT, base64("127.0.0.1:" + server.getAddress().getPort()), UploadRelay.TOKEN, base64(token)))
                .build();
        client.secrets().inNamespace(UploadRelay.SECRET_NAMESPACE).resource(s).createOr(existing -> existing.update());
    }

    private void receive(HttpExchange ex) throws IOException {
        try (ex) {
            String given = ex.getRequestHeaders().getFirst(UploadRelay.HEADER);
            if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
                reply(ex, 401, "missing or wrong relay token");
                return;
            }
            String[] seg = ex.getRequestURI().getPath().split("/");
            if (!"POST".equals(ex.getRequestMethod()) || seg.length != 4) {
                reply(ex, 404, "POST /upload/<namespace>/<claim>");
                return;
            }
            String length = ex.getRequestHeaders().getFirst("Content-Length");
            OptionalLong total = length == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(length));
            ImportJob job;
            try {
                job = dataVolumes.startUpload(new Key(seg[2], seg[3]), ex.getRequestBody(), total);
            } catch (IllegalStateException e) {
                reply(ex, 400, e.getMessage());
                return;
            }
            switch (job.await()) {
                case ImportJob.Done d -> reply(ex, 200, "");
                case ImportJob.Refused r -> reply(ex, 400, r.message());
                case ImportJob.Failed f -> reply(ex, 500, f.message());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "upload " + ex.getRequestURI() + " failed", e);
        }
    }

    private static void reply(HttpExchange ex, int code, String message) throws IOException {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
