package io.jvirt.handler.relay;

/**
 * The first line the relay answers: {@code <code> <message>}. 200 carries a JSON result (or "{}"),
 * 101 means raw bytes follow, anything else is an HTTP status with KubeVirt's message.
 */
public record RelayReply(int code, String message) {
    static RelayReply ok(String json) {
        return new RelayReply(200, json);
    }

    static RelayReply conflict(String message) {
        return new RelayReply(409, message);
    }

    /** The wire form, newline terminated; newlines inside the message become spaces. */
    public String line() {
        return code + " " + message.replace('\n', ' ').replace('\r', ' ') + "\n";
    }
}
