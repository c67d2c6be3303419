package io.jvirt.virtctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code virtctl image-upload dv|pvc NAME --image-path FILE [--size SIZE] [--no-create] [--insecure] [--force-bind]}:
 * KubeVirt's flow and messages. Creates the DataVolume (source {@code upload}) or the claim (annotated as an upload
 * target) unless {@code --no-create}, waits until it takes the upload, asks for an UploadTokenRequest, streams the file
 * to the upload proxy ({@code --uploadproxy-url}, default the API server, which serves CDI's
 * {@code /v1beta1/upload}) with a progress bar and throughput, then waits for the processing to finish.
 */
@Command(name = "image-upload", description = "Upload a VM image to a DataVolume or PersistentVolumeClaim.")
final class ImageUpload implements Callable<Integer>, VirtctlMain.Action {
    private static final String DV_PATH = "/apis/cdi.kubevirt.io/v1beta1/namespaces/%s/datavolumes";
    private static final String PVC_PATH = "/api/v1/namespaces/%s/persistentvolumeclaims";
    private static final Duration WAIT = Duration.ofMinutes(5);

    @ParentCommand
    VirtctlMain root;

    @Parameters(index = "0", paramLabel = "dv|pvc", description = "Upload into a DataVolume (dv) or a PersistentVolumeClaim (pvc).")
    String kind;

    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Option(names = "--image-path", required = true, description = "Path to the local VM image.")
    Path imagePath;

    @Option(names = "--size", description = "The size of the DataVolume or PVC to create (e.g. 1Gi).")
    String size;

    @Option(names = "--no-create", description = "Do not create the DataVolume or PVC; upload into an existing one.")
    boolean noCreate;

    @Option(names = "--insecure", description = "Do not verify the upload proxy's certificate.")
    boolean insecure;

    @Option(names = "--force-bind", description = "Bind the claim at once, even if its class waits for a first consumer.")
    boolean forceBind;

    @Option(names = "--uploadproxy-url", description = "The upload proxy's URL (default: the API server's).")
    String uploadProxyUrl;

    @Option(names = "--storage-class", description = "The StorageClass of the claim to create.")
    String storageClass;

    @Option(names = "--access-mode", description = "The access mode of the claim to create (default ReadWriteOnce).")
    String accessMode;

    @Option(names = "--volume-mode", description = "The volume mode of the claim to create: filesystem or block.")
    String volumeMode;

    @Override
    public String doing() {
        return "uploading image";
    }

    @Override
    public Integer call() throws Exception {
        boolean dv = switch (kind) {
            case "dv" -> true;
            case "pvc" -> false;
            default -> throw new IllegalArgumentException("the first argument must be dv or pvc, not '" + kind + "'");
        };
        if (!Files.isRegularFile(imagePath)) throw new IOException("cannot read --image-path " + imagePath);
        Api api = root.api();
        String ns = root.namespace();
        PrintStream out = System.out;
        String path = (dv ? DV_PATH : PVC_PATH).formatted(ns) + "/" + name;
        if (!noCreate) {
            if (size == null) throw new IllegalArgumentException("--size is required to create " + (dv ? "a DataVolume" : "a PVC"));
            if (exists(api, path)) {
                throw new IllegalStateException((dv ? "DataVolume " : "PVC ") + ns + "/" + name + " already exists (use --no-create to upload into it)");
            }
            api.send("POST", (dv ? DV_PATH : PVC_PATH).formatted(ns), (dv ? dataVolume(ns) : claim(ns)).toString());
            out.println((dv ? "DataVolume " : "PVC ") + ns + "/" + name + " created");
        } else if (!exists(api, path)) {
            throw new IllegalStateException((dv ? "DataVolume " : "PVC ") + ns + "/" + name + " not found");
        } else if (populated(api.get(path), dv)) {
            throw new IllegalStateException((dv ? "DataVolume " : "PVC ") + ns + "/" + name + " has already been populated");
        }
        out.println("Waiting for PVC " + name + " upload pod to be ready...");
        await(api, path, dv ? s -> "UploadReady".equals(s.path("status").path("phase").asText())
                : s -> "Bound".equals(s.path("status").path("phase").asText()), dv ? "DataVolume " + name + " UploadReady" : "PVC " + name + " Bound");
        out.println("Pod now ready");
        String token = Api.JSON.readTree(api.send("POST", "/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/" + ns + "/uploadtokenrequests",
                Api.JSON.createObjectNode().put("apiVersion", "upload.cdi.kubevirt.io/v1beta1").put("kind", "UploadTokenRequest")
                        .<ObjectNode>set("metadata", Api.JSON.createObjectNode().put("name", name).put("namespace", ns))
                        .set("spec", Api.JSON.createObjectNode().put("pvcName", name)).toString())).path("status").path("token").asText();
        String base = (uploadProxyUrl == null ? api.config().server() : uploadProxyUrl).replaceAll("/+$", "");
        if (!base.startsWith("http")) base = "https://" + base;
        out.println("Uploading data to " + base);
        out.println();
        upload(URI.create(base + "/v1beta1/upload"), token, out);
        out.println();
        out.println("Uploading data completed successfully, waiting for processing to complete, you can hit ctrl-c without interrupting the progress");
        if (dv) await(api, path, s -> "Succeeded".equals(s.path("status").path("phase").asText()), "DataVolume " + name + " Succeeded");
        out.println("Processing completed successfully");
        out.println("Uploading " + imagePath + " completed successfully");
        return 0;
    }

    private ObjectNode claimSpec() {
        ObjectNode spec = Api.JSON.createObjectNode();
        spec.putArray("accessModes").add(accessMode == null ? "ReadWriteOnce" : accessMode);
        spec.putObject("resources").putObject("requests").put("storage", size);
        if (storageClass != null) spec.put("storageClassName", storageClass);
        if (volumeMode != null) spec.put("volumeMode", volumeMode.equalsIgnoreCase("block") ? "Block" : "Filesystem");
        return spec;
    }

    private ObjectNode dataVolume(String ns) {
        ObjectNode dv = Api.JSON.createObjectNode().put("apiVersion", "cdi.kubevirt.io/v1beta1").put("kind", "DataVolume");
        ObjectNode meta = dv.putObject("metadata").put("name", name).put("namespace", ns);
        if (forceBind) meta.putObject("annotations").put(io.jvirt.api.storage.LocalVolumes.BIND_IMMEDIATE, "true");
        ObjectNode spec = dv.putObject("spec");
        spec.putObject("source").putObject("upload");
        spec.set("storage", claimSpec());
        return dv;
    }

    private ObjectNode claim(String ns) {
        ObjectNode pvc = Api.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PersistentVolumeClaim");
        ObjectNode annotations = pvc.putObject("metadata").put("name", name).put("namespace", ns).putObject("annotations")
                .put("cdi.kubevirt.io/storage.upload.target", "");
        if (forceBind) annotations.put(io.jvirt.api.storage.LocalVolumes.BIND_IMMEDIATE, "true");
        pvc.set("spec", claimSpec());
        return pvc;
    }

    private static boolean populated(JsonNode o, boolean dv) {
        return dv ? "Succeeded".equals(o.path("status").path("phase").asText())
                : "Succeeded".equals(o.path("metadata").path("annotations").path(io.jvirt.api.storage.LocalVolumes.POPULATION_PHASE).asText());
    }

    private static boolean exists(Api api, String path) throws Exception {
        try {
            api.get(path);
            return true;
        } catch (Api.ApiError e) {
            if (e.code == 404) return false;
            throw e;
        }
    }

    private static void await(Api api, String path, java.util.function.Predicate<JsonNode> done, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode o = api.get(path);
            if (done.test(o)) return;
            if ("Failed".equals(o.path("status").path("phase").asText())) {
                throw new IOException(what.split(" ")[0] + " " + what.split(" ")[1] + " failed: " + failure(o));
            }
            Thread.sleep(200); // a short CLI poll: each wait is on the path of the upload's end-to-end time
        }
        throw new IOException("timed out after " + WAIT.toMinutes() + " minutes waiting for " + what);
    }

    private static String failure(JsonNode o) {
        for (JsonNode c : o.path("status").path("conditions")) {
            if ("Running".equals(c.path("type").asText()) && c.hasNonNull("message")) return c.path("message").asText();
        }
        return "no reason given";
    }

    /**
     * POSTs the file with a blocking {@link HttpURLConnection} in fixed-length streaming mode, 1 MiB per write: on these
     * machines it sent a body twice as fast as {@code java.net.http.HttpClient}'s input-stream publisher (16 KiB chunks
     * through its queue). {@code --insecure} trusts any certificate and any host name, as KubeVirt's does.
     */
    private void upload(URI uri, String token, PrintStream out) throws Exception {
        long total = Files.size(imagePath);
        SSLContext tls = root.api().config().tls();
        if (insecure) {
            tls = SSLContext.getInstance("TLS");
            tls.init(null, new javax.net.ssl.TrustManager[] {new Kubeconfig.TrustAll()}, null);
        }
        Progress progress = new Progress(total, out);
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        if (c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.getSocketFactory());
            if (insecure) https.setHostnameVerifier((host, session) -> true);
        }
        c.setConnectTimeout((int) Duration.ofSeconds(10).toMillis());
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(total);
        c.setRequestProperty("Authorization", "Bearer " + token);
        c.setRequestProperty("Content-Type", "application/octet-stream");
        try {
            try (InputStream in = progress.counting(imagePath); OutputStream body = c.getOutputStream()) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) body.write(buf, 0, n);
            }
            int code = c.getResponseCode();
            progress.finish();
            if (code / 100 != 2) {
                InputStream error = c.getErrorStream();
                String answer = error == null ? "" : new String(error.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                throw new IOException("upload failed: " + Api.message(code, answer));
            }
        } finally {
            c.disconnect();
        }
    }

    /** KubeVirt's progress bar: {@code  11.25 MiB / 11.25 MiB [=====>----] 100.00% 25.31 MiB/s 0s}, redrawn at most 5 times a second. */
    static final class Progress {
        private static final int WIDTH = 40;
        private final long total;
        private final PrintStream out;
        private final long started = System.nanoTime();
        private volatile long sent;
        private long drawn;

        Progress(long total, PrintStream out) {
            this.total = total;
            this.out = out;
        }

        InputStream counting(Path file) {
            try {
                return new FilterInputStream(Files.newInputStream(file)) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) add(n);
                        return n;
                    }
                };
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private synchronized void add(long n) {
            sent += n;
            long now = System.nanoTime();
            if (now - drawn > 200_000_000L) {
                drawn = now;
                out.print("\r" + line(sent, total, now - started));
                out.flush();
            }
        }

        synchronized void finish() {
            out.print("\r" + line(sent, total, System.nanoTime() - started));
            out.println();
        }

        /** One frame of the bar. Pure. */
        static String line(long sent, long total, long elapsedNanos) {
            double fraction = total == 0 ? 1 : Math.min(1.0, (double) sent / total);
            int full = (int) Math.round(fraction * WIDTH);
            String bar = "=".repeat(Math.max(0, full - (full < WIDTH ? 1 : 0))) + (full < WIDTH && full > 0 ? ">" : "")
                    + "-".repeat(WIDTH - full);
            double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
            return String.format(Locale.ROOT, " %s / %s [%s] %.2f%% %s/s %ds", mib(sent), mib(total), bar, fraction * 100,
                    mib((long) (sent / seconds)), (long) seconds);
        }

        private static String mib(long bytes) {
            return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
        }
    }
}
