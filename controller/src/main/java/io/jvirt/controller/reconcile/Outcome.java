package io.jvirt.controller.reconcile;

import java.time.Duration;

/** What a reconcile asks of its loop: nothing more, or another look after a delay (a timer, not an error). */
public sealed interface Outcome {
    Outcome DONE = new Done();

    record Done() implements Outcome {}

    record RequeueAfter(Duration delay) implements Outcome {}

    static Outcome after(Duration delay) {
        return new RequeueAfter(delay);
    }

    /** The earlier of two outcomes ({@code DONE} counts as never). */
    default Outcome sooner(Outcome other) {
        if (this instanceof RequeueAfter a && other instanceof RequeueAfter b) return a.delay().compareTo(b.delay()) <= 0 ? a : b;
        return this instanceof RequeueAfter ? this : other;
    }
}
