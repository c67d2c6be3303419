package io.jvirt.controller.event;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes core/v1 Events about an object ({@code kubectl describe} shows them) on its own thread, so
 * recording never slows or fails a reconcile. Best effort: a failed write is logged; when more than
 * {@value #MAX_PENDING} events wait, new ones are dropped. {@link #close} drops what is still queued.
 * Thread-safe.
 */
public final class EventRecorder implements AutoCloseable {
    static final int MAX_PENDING = 1000;
    private static final Logger LOG = Logger.getLogger(EventRecorder.class.getName());
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    private final KubernetesClient client;
    private final String component;
    private final Clock clock;
    private final AtomicLong sequence = new AtomicLong();
    private final ExecutorService writer;

    public EventRecorder(KubernetesClient client, String component, Clock clock) {
        this.client = client;
        this.component = component;
        this.clock = clock;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_PENDING), r -> {
            Thread t = new Thread(r, component + "-events");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
    }

    public void record(HasMetadata about, String type, String reason, String message) {
        String ns = about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
        String now = clock.instant().toString();
        var event = new EventBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName(about.getMetadata().getName() + "." + Long.toHexString(clock.millis()) + Long.toHexString(sequence.incrementAndGet()))
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(about.getApiVersion()).withKind(about.getKind())
                        .withNamespace(about.getMetadata().getNamespace()).withName(about.getMetadata().getName())
                        .withUid(about.getMetadata().getUid()).withResourceVersion(about.getMetadata().getResourceVersion())
                        .build())
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(component).endSource()
                .withReportingComponent(component)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        writer.execute(() -> {
            try {
                client.v1().events().inNamespace(ns).resource(event).create();
            } catch (KubernetesClientException e) {
                LOG.log(Level.FINE, "cannot record event " + reason + " on " + about.getMetadata().getName(), e);
            }
        });
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
