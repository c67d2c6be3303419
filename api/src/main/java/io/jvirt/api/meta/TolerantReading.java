package io.jvirt.api.meta;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A Jackson module for clients that list and watch API objects: an object of one of the given types
 * that cannot be read in full (a field of the wrong shape, a quantity that does not parse) is read
 * with what can be read instead of failing the whole list or watch — which would stop an informer
 * for every object because of one. The top-level field that failed ({@code spec}, then {@code status}
 * if that fails too) is left out, or everything but {@code apiVersion}, {@code kind} and
 * {@code metadata} (and if the metadata fails, its name, namespace, uid, resourceVersion and
 * deletionTimestamp). The reason, with the path of the bad field, is recorded in the object under
 * the property {@value #UNREADABLE}, and the top-level fields left out (comma-separated) under
 * {@value #LEFT_OUT}: types with an any-setter (fabric8's models) keep them there, other types
 * declare properties of those names. Properties of those names in the input are dropped, so only
 * this module sets them. Objects that read in full are untouched.
 *
 * <p>The object read this way is for bookkeeping (name, owner, finalizers, phase): a consumer checks
 * the property first and acts on the object only as far as what was read allows. Thread-safe.
 */
public final class TolerantReading extends SimpleModule {
    /** The property holding why an object could not be read in full. */
    public static final String UNREADABLE = "x-jvirt-unreadable";
    /** The property listing the top-level fields left out, e.g. {@code spec} or {@code spec,status}. */
    public static final String LEFT_OUT = "x-jvirt-left-out";
    private static final Set<String> IDENTITY = Set.of("apiVersion", "kind", "metadata");
    private static final List<String> KEPT_METADATA = List.of("name", "namespace", "uid", "resourceVersion", "deletionTimestamp",
            "creationTimestamp", "generation");

    private final Set<Class<?>> types;

    /** @param types the classes read tolerantly (exact classes: typically the resource classes an informer holds) */
    public TolerantReading(Set<Class<?>> types) {
        super("jvirt-tolerant-reading");
        this.types = Set.copyOf(types);
        setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription beanDesc, JsonDeserializer<?> deserializer) {
                return TolerantReading.this.types.contains(beanDesc.getBeanClass()) ? new Tolerant(deserializer) : deserializer;
            }
        });
    }

    private static final class Tolerant extends DelegatingDeserializer {
        private static final long serialVersionUID = 1L;

        Tolerant(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
            return new Tolerant(newDelegatee);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode tree = ctxt.readTree(p);
            if (!(tree instanceof ObjectNode object)) {
                return read(tree, p, ctxt);
            }
            object.remove(UNREADABLE);
            object.remove(LEFT_OUT);
            Exception first;
            try {
                return read(object, p, ctxt);
            } catch (IOException | RuntimeException e) {
                first = e;
            }
            String reason = reason(first);
            ObjectNode partial = object.deepCopy();
            List<String> leftOut = new java.util.ArrayList<>();
            for (String failing = topField(first); failing != null && !IDENTITY.contains(failing) && partial.has(failing); ) {
                partial.remove(failing);
                leftOut.add(failing);
                partial.put(UNREADABLE, reason);
                partial.put(LEFT_OUT, String.join(",", leftOut));
                try {
                    return read(partial, p, ctxt);
                } catch (IOException | RuntimeException e) {
                    failing = topField(e);
                }
            }
            ObjectNode bare = ctxt.getNodeFactory().objectNode();
            for (String field : List.of("apiVersion", "kind", "metadata")) {
                if (object.has(field)) bare.set(field, object.get(field));
            }
            bare.put(UNREADABLE, reason);
            List<String> others = new java.util.ArrayList<>();
            object.fieldNames().forEachRemaining(f -> {
                if (!IDENTITY.contains(f)) others.add(f);
            });
            bare.put(LEFT_OUT, String.join(",", others));
            try {
                return read(bare, p, ctxt);
            } catch (IOException | RuntimeException e) {
                // the metadata itself is broken: keep what identifies the object
            }
            ObjectNode metadata = ctxt.getNodeFactory().objectNode();
            for (String field : KEPT_METADATA) {
                JsonNode value = object.path("metadata").path(field);
                if (value.isValueNode()) metadata.set(field, value);
            }
            bare.set("metadata", metadata);
            try {
                return read(bare, p, ctxt);
            } catch (IOException | RuntimeException e) {
                if (first instanceof IOException io) throw io;
                throw (RuntimeException) first;
            }
        }

        private Object read(JsonNode tree, JsonParser p, DeserializationContext ctxt) throws IOException {
            try (JsonParser parser = tree.traverse(p.getCodec())) {
                parser.nextToken();
                return _delegatee.deserialize(parser, ctxt);
            }
        }

        /** The top-level property a failure is in, or null when unknown. */
        private static String topField(Exception e) {
            if (!(e instanceof JsonMappingException m) || m.getPath().isEmpty()) return null;
            return m.getPath().getFirst().getFieldName();
        }

        /** {@code spec.domain.memory.guest: quantity '1x' is not valid: …}. */
        static String reason(Exception e) {
            if (!(e instanceof JsonMappingException m)) return String.valueOf(e.getMessage());
            String path = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            Throwable cause = m.getCause() instanceof IllegalArgumentException || m.getCause() instanceof ArithmeticException
                    ? m.getCause() : null;
            String message = cause != null ? cause.getMessage() : m.getOriginalMessage();
            return (path.isEmpty() ? "" : path + ": ") + firstLine(message);
        }

        private static String firstLine(String message) {
            if (message == null) return "unreadable";
            int nl = message.indexOf('\n');
            return nl < 0 ? message : message.substring(0, nl);
        }
    }
}
