package io.jvirt.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.IntConsumer;

/**
 * A server the apiserver benchmark drives with the same workload: objects named by index inside a
 * group (a namespace for jvirt, a key prefix for etcd), read one by one or listed, updated with a
 * sequence number that watchers report back. Implementations build plain {@link HttpRequest}s, so
 * one measuring loop with one client serves both. Thread-safe; {@link #close} stops the server and
 * deletes its data.
 */
sealed interface KvTarget extends AutoCloseable permits JvirtTarget, EtcdTarget {
    /** Short name used in figure names: {@code jvirt} or {@code etcd}. */
    String label();

    /** The client every request of this target goes through (HTTP/1.1 unless the target says otherwise). */
    HttpClient client();

    /** Makes {@code group} ready to hold objects (a namespace); idempotent. */
    void prepare(String group) throws IOException, InterruptedException;

    HttpRequest create(String group, int index);

    HttpRequest get(String group, int index);

    HttpRequest list(String group);

    /** Sets the sequence number {@code seq} on object {@code index}. */
    HttpRequest update(String group, int index, int seq);

    /** A streaming watch on every object of {@code group}, one JSON message a line. */
    HttpRequest watch(String group);

    /** Throws unless {@code reply} is the success this target gives for {@code op}. */
    void check(Op op, HttpResponse<byte[]> reply) throws IOException;

    /** The number of objects in a {@link #list} reply. */
    int listed(byte[] body) throws IOException;

    /** Reports the sequence numbers of the updates a watch line carries (none for other lines). */
    void updatesIn(String line, IntConsumer seqs) throws IOException;

    @Override
    void close();

    /** The request kinds, for {@link #check}. */
    enum Op { CREATE, GET, LIST, UPDATE }
}
