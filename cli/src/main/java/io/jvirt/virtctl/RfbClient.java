package io.jvirt.virtctl;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of RFB 3.8 (RFC 6143) to take a screenshot: version and security handshake (type None),
 * ClientInit/ServerInit, SetPixelFormat to 32-bit true colour, SetEncodings Raw only, one full
 * FramebufferUpdateRequest, then Raw rectangles until the whole screen has arrived.
 */
final class RfbClient {
    private RfbClient() {
    }

    static BufferedImage screenshot(InputStream rawIn, OutputStream rawOut) throws IOException {
        DataInputStream in = new DataInputStream(rawIn);
        DataOutputStream out = new DataOutputStream(rawOut);
        byte[] version = new byte[12];
        in.readFully(version);
        String server = new String(version, StandardCharsets.US_ASCII);
        if (!server.startsWith("RFB 003.")) {
            throw new IOException("not a VNC server: " + server.strip());
        }
        out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int count = in.readUnsignedByte();
        if (count == 0) {
            throw new IOException("VNC server refused: " + reason(in));
        }
        boolean none = false;
        for (int i = 0; i < count; i++) {
            none |= in.readUnsignedByte() == 1;
        }
        if (!none) {
            throw new IOException("VNC server wants authentication; only security type None is supported");
        }
        out.writeByte(1);
        out.flush();
        if (in.readInt() != 0) {
            throw new IOException("VNC security handshake failed: " + reason(in));
        }
        out.writeByte(1); // ClientInit: shared
        out.flush();
        int width = in.readUnsignedShort();
        int height = in.readUnsignedShort();
        in.readFully(new byte[16]); // the server's pixel format: replaced below
        in.readFully(new byte[in.readInt()]); // desktop name

        out.writeByte(0); // SetPixelFormat
        out.write(new byte[3]);
        out.write(new byte[] {32, 24, 0, 1}); // bpp, depth, little endian, true colour
        out.writeShort(255);
        out.writeShort(255);
        out.writeShort(255);
        out.write(new byte[] {16, 8, 0}); // red, green, blue shifts
        out.write(new byte[3]);
        out.writeByte(2); // SetEncodings: Raw only
        out.writeByte(0);
        out.writeShort(1);
        out.writeInt(0);
        out.writeByte(3); // FramebufferUpdateRequest, not incremental, whole screen
        out.writeByte(0);
        out.writeShort(0);
        out.writeShort(0);
        out.writeShort(width);
        out.writeShort(height);
        out.flush();

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        long covered = 0;
        long needed = (long) width * height;
        byte[] row = new byte[0];
        while (covered < needed) {
            int type = in.readUnsignedByte();
            switch (type) {
                case 0 -> { // FramebufferUpdate
                    in.readUnsignedByte();
                    int rects = in.readUnsignedShort();
                    for (int r = 0; r < rects; r++) {
                        int x = in.readUnsignedShort();
                        int y = in.readUnsignedShort();
                        int w = in.readUnsignedShort();
                        int h = in.readUnsignedShort();
                        int encoding = in.readInt();
                        if (encoding != 0) {
                            throw new IOException("VNC server sent encoding " + encoding + " though only Raw was asked for");
                        }
                        if (row.length < w * 4) {
                            row = new byte[w * 4];
                        }
                        for (int j = 0; j < h; j++) {
                            in.readFully(row, 0, w * 4);
                            for (int i = 0; i < w; i++) {
                                int b = row[i * 4] & 0xff;
                                int g = row[i * 4 + 1] & 0xff;
                                int red = row[i * 4 + 2] & 0xff;
                                if (x + i < width && y + j < height) {
                                    image.setRGB(x + i, y + j, (red << 16) | (g << 8) | b);
                                }
                            }
                        }
                        covered += (long) w * h;
                    }
                }
                case 1 -> { // SetColourMapEntries
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                    in.readFully(new byte[in.readUnsignedShort() * 6]);
                }
                case 2 -> { // Bell
                }
                case 3 -> { // ServerCutText
                    in.readFully(new byte[3]);
                    in.readFully(new byte[in.readInt()]);
                }
                default -> throw new IOException("unexpected VNC server message type " + type);
            }
        }
        return image;
    }

    private static String reason(DataInputStream in) throws IOException {
        byte[] text = new byte[in.readInt()];
        in.readFully(text);
        return new String(text, StandardCharsets.UTF_8);
    }
}
