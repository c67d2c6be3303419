package io.jvirt.apiserver.subresources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.admission.VmiUpdateRules;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.handler.WriteOptions;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.http.Replies;
import io.jvirt.apiserver.metrics.RequestObservation;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.rbac.RbacAuthorizer;
import io.jvirt.apiserver.rbac.RequestAttributes;
import io.jvirt.apiserver.security.User;
import io.jvirt.apiserver.subresources.VmChange.Accepted;
import io.jvirt.apiserver.subresources.VmChange.Rejected;
import io.jvirt.apiserver.subresources.VmChange.Request;
import io.jvirt.apiserver.subresources.VmFacts.VmiPresence;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves {@code /apis/subresources.kubevirt.io/<v>/...}: discovery, the VM actions start/stop/restart
 * (they rewrite the VirtualMachine: run strategy and {@code status.stateChangeRequests}, then answer
 * 202), and the VMI actions, which need the VMI Running on a node and are relayed to its node agent
 * ({@link NodeRelay}); console and vnc upgrade to a WebSocket whose binary frames carry the raw
 * serial / RFB bytes (subprotocol {@code plain.kubevirt.io}), with flow control both ways. Authorization: GET is verb
 * {@code get}, PUT {@code update}, on resource {@code <plural>/<subresource>} of this group (the view
 * role has none of them). Thread-safe.
 */
public final class SubresourceEndpoint {
    private static final Logger LOG = Logger.getLogger(SubresourceEndpoint.class.getName());
    private static final String PREFIX = "/apis/" + SubresourceDiscovery.GROUP;
    private static final int MAX_BODY = 64 * 1024;
    private static final int ATTEMPTS = 5;

    private final Vertx vertx;
    private final ObjectService service;
    private final NodeRelay relay;

    private final RbacAuthorizer authorizer;

    public SubresourceEndpoint(Vertx vertx, ObjectService service, RbacAuthorizer authorizer) {
        this.vertx = vertx;
        this.authorizer = authorizer;
        this.service = service;
        this.relay = new NodeRelay(service);
    }

    /** Whether {@code path} belongs to this group. */
    public static boolean handles(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** Answers {@code req} for the authenticated {@code user}; failures are Status objects; {@code observed} learns when a stream ends. */
    public void serve(HttpServerRequest req, User user, RequestObservation observed) {
        String[] seg = req.path().replaceAll("/+$", "").split("/");
        // ["", "apis", group, version, "namespaces", ns, plural, name, sub]
        if (seg.length == 3) {
            Replies.json(req.response(), 200, SubresourceDiscovery.group(true), "application/json", List.of());
            return;
        }
        if (!SubresourceDiscovery.VERSIONS.contains(seg[3])) throw ApiException.pathNotFound(req.path());
        if (seg.length == 4) {
            Replies.json(req.response(), 200, SubresourceDiscovery.resourceList(seg[3]), "application/json", List.of());
            return;
        }
        if (seg.length == 5 && seg[4].equals("version")) {
            Replies.json(req.response(), 200, SubresourceDiscovery.version(), "application/json", List.of());
            return;
        }
        if (seg.length < 9 || !seg[4].equals("namespaces")) throw ApiException.pathNotFound(req.path());
        Target t = new Target(seg[5], seg[6], seg[7], seg[8]);
        if (t.sub().equals("portforward")) {
            PortForward forward = PortForward.parse(seg, req.path());
            authorize(user, "get", t);
            if (req.method() != HttpMethod.GET) throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
            stream(req, t, forward.relayAction(), observed);
            return;
        }
        if (seg.length != 9) throw ApiException.pathNotFound(req.path());
        String verb = verb(t, req.method());
        authorize(user, verb, t);
        if (t.plural().equals("virtualmachineinstances") && (t.sub().equals("console") || t.sub().equals("vnc"))) {
            stream(req, t, t.sub(), observed);
            return;
        }
        Buffer body = Buffer.buffer();
        req.handler(chunk -> {
            if (body.length() < MAX_BODY) body.appendBuffer(chunk);
        });
        req.endHandler(v -> vertx.<Runnable>executeBlocking(() -> dispatch(req, t, body, user), false).onComplete(ar -> {
            if (ar.succeeded()) {
                ar.result().run();
            } else if (ar.cause() instanceof ApiException e) {
                Replies.error(req.response(), e);
            } else if (ar.cause() instanceof IllegalArgumentException e) {
                Replies.error(req.response(), ApiException.badRequest(String.valueOf(e.getMessage())));
            } else {
                LOG.log(Level.WARNING, "internal error on " + req.method() + " " + req.uri(), ar.cause());
                Replies.error(req.response(), ApiException.unexpected(ar.cause()));
            }
        }));
    }

    private record Target(String namespace, String plural, String name, String sub) {}

    /** RBAC on {@code <plural>/<sub>} of this group (a portforward's port and protocol are not part of it, as in virt-api). */
    private void authorize(User user, String verb, Target t) {
        if (!authorizer.authorize(RequestAttributes.resource(user, verb, SubresourceDiscovery.GROUP, t.plural(), t.sub(), t.namespace(), t.name()))) {
            throw ApiException.forbidden(user.name(), verb, t.plural() + "/" + t.sub(), SubresourceDiscovery.GROUP, t.name(), t.namespace());
        }
    }

    private static String verb(Target t, HttpMethod m) {
        boolean known = switch (t.plural()) {
            case "virtualmachines" -> SubresourceDiscovery.VM_UPDATE.contains(t.sub());
            case "virtualmachineinstances" -> SubresourceDiscovery.VMI_UPDATE.contains(t.sub()) || SubresourceDiscovery.VMI_GET.contains(t.sub());
            default -> false;
        };
        if (!known) throw ApiException.pathNotFound("/" + t.plural() + "/" + t.name() + "/" + t.sub());
        boolean get = t.plural().equals("virtualmachineinstances") && SubresourceDiscovery.VMI_GET.contains(t.sub());
        if (get && m == HttpMethod.GET) return "get";
        if (!get && m == HttpMethod.PUT) return "update";
        throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }

    private Runnable dispatch(HttpServerRequest req, Target t, Buffer body, User user) {
        if (t.plural().equals("virtualmachineinstances")) return vmiAction(req, t);
        VmAction action = VmAction.ofSubresource(t.sub());
        if (action == null) throw ApiException.badRequest("live migration is not supported: a jvirt cluster has one node");
        JsonNode options = body.length() == 0 ? Codec.NODES.objectNode() : Codec.parseJson(body.getBytes());
        boolean dryRun = "All".equals(req.getParam("dryRun")) || options.path("dryRun").size() > 0;
        boolean paused = options.path("paused").asBoolean(false);
        if (action == VmAction.STOP && options.hasNonNull("gracePeriod")) {
            shortenGracePeriod(t, options.get("gracePeriod"), new WriteOptions(dryRun, "virt-api", "Ignore", user.name()));
        }
        for (int attempt = 1; ; attempt++) {
            try {
                apply(t, action, paused, new WriteOptions(dryRun, "virt-api", "Ignore", user.name()));
                return () -> req.response().setStatusCode(202).end();
            } catch (ApiException e) {
                boolean stale = e.code() == 409 && e.getMessage().contains("the object has been modified");
                if (!stale || attempt == ATTEMPTS) throw e;
            }
        }
    }

    private void apply(Target t, VmAction action, boolean paused, WriteOptions opts) {
        ResourceType vms = type("virtualmachines");
        ObjectNode vm = service.get(vms, t.namespace(), t.name());
        VmChange change = VmLifecycle.decide(action, facts(t, vm), paused);
        if (change instanceof Rejected r) throw rejected(r, t);
        Accepted a = (Accepted) change;
        // runStrategy and the requests change in one write: the VM controller must never see one without the other
        // (a Halted VM started paused would otherwise start unpaused, or drop the request)
        if (a.runStrategy() != null) {
            ObjectNode spec = (ObjectNode) vm.path("spec");
            if (!spec.has("runStrategy") && spec.has("running")) spec.put("running", a.runStrategy().equals("Always"));
            else spec.put("runStrategy", a.runStrategy());
        }
        if (a.runStrategy() == null && a.requests().isEmpty()) return;
        if (!a.requests().isEmpty()) {
            ObjectNode status = vm.has("status") && vm.get("status").isObject() ? (ObjectNode) vm.get("status") : vm.putObject("status");
            ArrayNode list = status.has("stateChangeRequests") && status.get("stateChangeRequests").isArray()
                    ? (ArrayNode) status.get("stateChangeRequests") : status.putArray("stateChangeRequests");
            for (Request r : a.requests()) {
                ObjectNode o = list.addObject().put("action", r.action());
                if (!r.data().isEmpty()) {
                    ObjectNode d = o.putObject("data");
                    r.data().forEach(d::put);
                }
                if (r.uid() != null) o.put("uid", r.uid());
            }
        }
        service.update(vms, t.namespace(), t.name(), ObjectService.SPEC_AND_STATUS, vm, opts);
    }

    /**
     * {@code stop} with {@code gracePeriod} (virtctl stop --grace-period, --force): the running VMI's
     * {@code terminationGracePeriodSeconds} becomes that value before the VM is stopped, so the node agent
     * stops the guest within it. Nothing happens when there is no VMI.
     */
    private void shortenGracePeriod(Target t, JsonNode gracePeriod, WriteOptions opts) {
        if (!gracePeriod.canConvertToLong() || gracePeriod.asLong() < 0) {
            throw ApiException.badRequest("gracePeriod must be a number of seconds >= 0, not " + gracePeriod);
        }
        ResourceType vmis = type("virtualmachineinstances");
        for (int attempt = 1; ; attempt++) {
            ObjectNode vmi;
            try {
                vmi = service.get(vmis, t.namespace(), t.name());
            } catch (ApiException e) {
                if (e.code() == 404) return;
                throw e;
            }
            ((ObjectNode) vmi.path("spec")).put("terminationGracePeriodSeconds", gracePeriod.asLong());
            try {
                // as virt-api: the subresource writes the VMI spec with KubeVirt's own identity (users may not)
                service.update(vmis, t.namespace(), t.name(), null, vmi,
                        new WriteOptions(opts.dryRun(), opts.fieldManager(), opts.fieldValidation(), VmiUpdateRules.API_SERVER));
                return;
            } catch (ApiException e) {
                boolean stale = e.code() == 409 && e.getMessage().contains("the object has been modified");
                if (!stale || attempt == ATTEMPTS) throw e;
            }
        }
    }

    private VmFacts facts(Target t, ObjectNode vm) {
        JsonNode spec = vm.path("spec");
        String strategy = spec.hasNonNull("runStrategy") ? spec.get("runStrategy").asText()
                : spec.path("running").asBoolean(false) ? "Always" : "Halted";
        ObjectNode vmi;
        try {
            vmi = service.get(type("virtualmachineinstances"), t.namespace(), t.name());
        } catch (ApiException e) {
            if (e.code() != 404) throw e;
            return new VmFacts(strategy, VmiPresence.NONE, null);
        }
        String phase = vmi.path("status").path("phase").asText("");
        VmiPresence p = switch (phase) {
            case "Succeeded" -> VmiPresence.SUCCEEDED;
            case "Failed" -> VmiPresence.FAILED;
            default -> VmiPresence.ACTIVE;
        };
        return new VmFacts(strategy, p, vmi.path("metadata").path("uid").asText(null));
    }

    private Runnable vmiAction(HttpServerRequest req, Target t) {
        NodeRelay.Answer a = NodeRelay.call(relay.resolve(type("virtualmachineinstances"), t.namespace(), t.name(), t.sub()));
        if (a.code() != 200) throw relayFailure(a, t);
        return () -> req.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(a.message());
    }

    /**
     * console / vnc / portforward: resolve off the event loop (a VM's portforward reaches the VMI of the same name), connect
     * to the node agent with {@code action}, then upgrade and relay bytes both ways.
     */
    private void stream(HttpServerRequest req, Target t, String action, RequestObservation observed) {
        req.pause();
        vertx.executeBlocking(() -> {
            if (t.plural().equals("virtualmachines")) service.get(type("virtualmachines"), t.namespace(), t.name());
            return relay.resolve(type("virtualmachineinstances"), t.namespace(), t.name(), action);
        }, false)
                .onFailure(e -> fail(req, e))
                .onSuccess(target -> vertx.createNetClient().connect(target.port(), target.host())
                        .onFailure(e -> fail(req, new ApiException(503, "ServiceUnavailable", "node agent relay: " + e.getMessage(),
                                null, null, null, List.of())))
                        .onSuccess(sock -> {
                            sock.write(target.header());
                            new ByteBridge(req, sock, t, observed).start();
                        }));
    }

    /** Reads the relay's answer line, then either fails the request or upgrades it and pipes bytes. */
    private final class ByteBridge {
        private final HttpServerRequest req;
        private final NetSocket sock;
        private final Target t;
        private final Buffer head = Buffer.buffer();
        private ServerWebSocket ws;
        private final RequestObservation observed;

        ByteBridge(HttpServerRequest req, NetSocket sock, Target t, RequestObservation observed) {
            this.observed = observed;
            this.req = req;
            this.sock = sock;
            this.t = t;
        }

        /**
         * The end of either side is propagated by the end handlers, not the close handlers: a paused stream still holds
         * bytes its close handler would overtake, the end handler runs after the last of them was handed on.
         */
        void start() {
            sock.endHandler(v -> {
                if (ws != null) ws.close();
                else fail(req, new ApiException(502, "InternalError", "node agent closed the relay connection", null, null, null, List.of()));
            });
            sock.handler(this::fromNode);
        }

        private void fromNode(Buffer b) {
            if (ws != null) {
                ws.writeBinaryMessage(b);
                if (ws.writeQueueFull()) { // flow control: read the node no faster than the client takes it
                    sock.pause();
                    ws.drainHandler(v -> sock.resume());
                }
                return;
            }
            head.appendBuffer(b);
            int nl = indexOfNewline(head);
            if (nl < 0) return;
            NodeRelay.Answer a = NodeRelay.Answer.parse(head.getString(0, nl, "UTF-8"));
            Buffer rest = head.getBuffer(nl + 1, head.length());
            if (a.code() != 101) {
                sock.endHandler(null);
                sock.close();
                fail(req, relayFailure(a, t));
                return;
            }
            sock.pause();
            req.toWebSocket().onFailure(e -> sock.close()).onSuccess(w -> {
                ws = w;
                if (rest.length() > 0) w.writeBinaryMessage(rest);
                w.binaryMessageHandler(this::toNode);
                w.textMessageHandler(text -> toNode(Buffer.buffer(text)));
                w.endHandler(v -> sock.close());
                w.closeHandler(v -> {
                    observed.ended();
                    if (!closeFrameCame(w)) sock.close(); // the client vanished: no end follows, what it still had queued is lost as in a reset
                });
                sock.resume();
            });
        }

        /**
         * Whether the client's close frame came, so that the end handler still follows the frames queued ahead of it.
         * Vert.x reports the code of the frame received, null when none came, and 1006 (RFC 6455: closed without a close
         * frame) when the server's own close was not answered.
         */
        private static boolean closeFrameCame(ServerWebSocket w) {
            Short code = w.closeStatusCode();
            return code != null && code != 1006;
        }

        /** Client bytes to the node, read no faster than the node takes them. */
        private void toNode(Buffer b) {
            sock.write(b);
            if (sock.writeQueueFull()) {
                ws.pause();
                sock.drainHandler(v -> ws.resume());
            }
        }

        private static int indexOfNewline(Buffer b) {
            for (int i = 0; i < b.length(); i++) if (b.getByte(i) == '\n') return i;
            return -1;
        }
    }

    private static void fail(HttpServerRequest req, Throwable e) {
        if (req.response().ended() || req.response().headWritten()) return;
        ApiException a = e instanceof ApiException x ? x : ApiException.unexpected(e);
        Replies.error(req.response(), a);
    }

    private static ApiException relayFailure(NodeRelay.Answer a, Target t) {
        return switch (a.code()) {
            case 409, 404 -> ApiException.conflict("virtualmachineinstance", "kubevirt.io", t.name(), a.message());
            case 400 -> ApiException.badRequest(a.message());
            default -> new ApiException(a.code() >= 500 ? a.code() : 500, "InternalError", "node agent relay: " + a.message(),
                    null, null, null, List.of());
        };
    }

    private static ApiException rejected(Rejected r, Target t) {
        if (r.code() == 409) return ApiException.conflict("virtualmachine", "kubevirt.io", t.name(), r.message());
        return ApiException.badRequest(r.message());
    }

    private ResourceType type(String plural) {
        return service.registry().find("kubevirt.io", "v1", plural)
                .orElseThrow(() -> ApiException.pathNotFound("/apis/kubevirt.io/v1/" + plural));
    }
}
