package io.jvirt.store;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Child process of {@link KillDuringCreatesIT}: creates {@code count} objects {@code obj-0000, obj-0001, ...}
 * in the store at {@code args[0]} and prints each name on stdout right after its create returned
 * (i.e. was acknowledged as durable).
 */
public final class CreateStream {

    private CreateStream() {}

    public static void main(String[] args) {
        Path database = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        SqliteStore store = SqliteStore.open(StoreConfig.defaults(database).withCompactionInterval(Duration.ofMillis(100)));
        System.out.println("open");
        System.out.flush();
        for (int i = 0; i < count; i++) {
            String name = name(i);
            store.create(TestObjects.vm("default", name), TestObjects.json(name));
            System.out.println(name);
            System.out.flush();
        }
        store.close();
        System.out.println("done");
    }

    static String name(int i) {
        return String.format("obj-%04d", i);
    }
}
