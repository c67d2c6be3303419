package io.jvirt.network.dhcp;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BOOTP/DHCP message (RFC 2131, options RFC 2132): the fixed header, the client's hardware address and the
 * options after the magic cookie. Parsing is strict about lengths and lenient about unknown options (kept).
 * Immutable once built.
 */
record DhcpMessage(int op, int xid, int flags, int ciaddr, int yiaddr, int siaddr, int giaddr, byte[] chaddr,
                   Map<Integer, byte[]> options) {
    static final int BOOTREQUEST = 1;
    static final int BOOTREPLY = 2;
    static final int DISCOVER = 1;
    static final int OFFER = 2;
    static final int REQUEST = 3;
    static final int DECLINE = 4;
    static final int ACK = 5;
    static final int NAK = 6;
    static final int RELEASE = 7;
    static final int INFORM = 8;

    static final int OPT_SUBNET_MASK = 1;
    static final int OPT_ROUTER = 3;
    static final int OPT_DNS = 6;
    static final int OPT_HOSTNAME = 12;
    static final int OPT_MTU = 26;
    static final int OPT_BROADCAST = 28;
    static final int OPT_REQUESTED_IP = 50;
    static final int OPT_LEASE_TIME = 51;
    static final int OPT_MESSAGE_TYPE = 53;
    static final int OPT_SERVER_ID = 54;
    static final int OPT_END = 255;
    static final int OPT_PAD = 0;

    private static final int MAGIC = 0x63825363;
    private static final int HEADER = 236;

    /** Reads a message; throws {@link IllegalArgumentException} for one that is not a DHCP message over Ethernet. */
    static DhcpMessage parse(ByteBuffer in) {
        if (in.remaining() < HEADER + 4) {
            throw new IllegalArgumentException("too short for a DHCP message: " + in.remaining() + " bytes");
        }
        int op = in.get() & 0xff;
        int htype = in.get() & 0xff;
        int hlen = in.get() & 0xff;
        in.get(); // hops
        if (htype != 1 || hlen != 6) {
            throw new IllegalArgumentException("not Ethernet: htype " + htype + ", hlen " + hlen);
        }
        int xid = in.getInt();
        in.getShort(); // secs
        int flags = in.getShort() & 0xffff;
        int ciaddr = in.getInt();
        int yiaddr = in.getInt();
        int siaddr = in.getInt();
        int giaddr = in.getInt();
        byte[] chaddr = new byte[16];
        in.get(chaddr);
        in.position(in.position() + 64 + 128); // sname, file
        if (in.getInt() != MAGIC) {
            throw new IllegalArgumentException("no DHCP magic cookie (plain BOOTP)");
        }
        Map<Integer, byte[]> options = new LinkedHashMap<>();
        while (in.hasRemaining()) {
            int code = in.get() & 0xff;
            if (code == OPT_PAD) {
                continue;
            }
            if (code == OPT_END) {
                break;
            }
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("option " + code + " has no length");
            }
            int len = in.get() & 0xff;
            if (in.remaining() < len) {
                throw new IllegalArgumentException("option " + code + " runs past the message");
            }
            byte[] value = new byte[len];
            in.get(value);
            options.merge(code, value, DhcpMessage::concat); // RFC 3396: repeated options concatenate
        }
        return new DhcpMessage(op, xid, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, options);
    }

    /** The message type (option 53), 0 when absent. */
    int type() {
        byte[] t = options.get(OPT_MESSAGE_TYPE);
        return t == null || t.length != 1 ? 0 : t[0] & 0xff;
    }

    /** The client's MAC from {@code chaddr}, lower case with colons. */
    String clientMac() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(String.format("%02x", chaddr[i] & 0xff));
        }
        return sb.toString();
    }

    /** An IPv4 option's value (0 when absent or not four bytes). */
    int address(int option) {
        byte[] v = options.get(option);
        return v == null || v.length != 4 ? 0 : ByteBuffer.wrap(v).getInt();
    }

    ByteBuffer encode() {
        ByteBuffer out = ByteBuffer.allocate(576);
        out.put((byte) op).put((byte) 1).put((byte) 6).put((byte) 0);
        out.putInt(xid).putShort((short) 0).putShort((short) flags);
        out.putInt(ciaddr).putInt(yiaddr).putInt(siaddr).putInt(giaddr);
        out.put(Arrays.copyOf(chaddr, 16));
        out.position(out.position() + 64 + 128);
        out.putInt(MAGIC);
        for (Map.Entry<Integer, byte[]> o : options.entrySet()) {
            out.put((byte) (int) o.getKey()).put((byte) o.getValue().length).put(o.getValue());
        }
        out.put((byte) OPT_END);
        while (out.position() < 300) {
            out.put((byte) 0); // BOOTP's minimum size, which some clients insist on
        }
        return out.flip();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
