package io.jvirt.virtctl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The screenshot client against a scripted RFB 3.8 server on a loopback socket: it must negotiate
 * None, ask for 32-bit true colour and Raw only, skip a Bell, and assemble two Raw rectangles.
 */
class RfbClientTest {
    private static final int RED = 0xff0000;
    private static final int BLUE = 0x0000ff;

    @Test
    void twoRawRectanglesMakeTheScreen() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> asked = CompletableFuture.supplyAsync(() -> serve(server));
            BufferedImage image;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                s.setSoTimeout(10_000);
                image = RfbClient.screenshot(s.getInputStream(), s.getOutputStream());
            }
            assertEquals(4, image.getWidth());
            assertEquals(2, image.getHeight());
            for (int x = 0; x < 4; x++) {
                assertEquals(RED, image.getRGB(x, 0) & 0xffffff, "row 0");
                assertEquals(BLUE, image.getRGB(x, 1) & 0xffffff, "row 1");
            }
            byte[] requests = asked.get(10, TimeUnit.SECONDS);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(requests));
            assertEquals(0, in.readUnsignedByte(), "SetPixelFormat");
            in.readFully(new byte[3]);
            assertArrayEquals(new byte[] {32, 24, 0, 1}, in.readNBytes(4), "32 bpp, depth 24, little endian, true colour");
            in.readFully(new byte[12]);
            assertEquals(2, in.readUnsignedByte(), "SetEncodings");
            in.readUnsignedByte();
            assertEquals(1, in.readUnsignedShort(), "one encoding");
            assertEquals(0, in.readInt(), "Raw");
            assertEquals(3, in.readUnsignedByte(), "FramebufferUpdateRequest");
            assertEquals(0, in.readUnsignedByte(), "not incremental");
        }
    }

    @Test
    void aServerThatWantsAPasswordIsRefusedClearly() throws Exception {
        ByteArrayOutputStream script = new ByteArrayOutputStream();
        script.writeBytes("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        script.writeBytes(new byte[] {1, 2}); // one security type: VNC authentication
        IOException e = assertThrows(IOException.class,
                () -> RfbClient.screenshot(new ByteArrayInputStream(script.toByteArray()), new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("only security type None"), e.getMessage());
    }

    /** Plays the server side; returns the client's messages after ClientInit. */
    private static byte[] serve(ServerSocket server) {
        try (Socket s = server.accept()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
            byte[] version = new byte[12];
            in.readFully(version);
            out.write(new byte[] {1, 1}); // security types: None
            if (in.readUnsignedByte() != 1) throw new IOException("client did not choose None");
            out.writeInt(0);
            in.readUnsignedByte(); // ClientInit
            out.writeShort(4);
            out.writeShort(2);
            out.write(new byte[16]);
            out.writeInt(4);
            out.write("test".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] requests = new byte[20 + 8 + 10];
            in.readFully(requests);
            out.writeByte(2); // Bell, to be skipped
            out.writeByte(0); // FramebufferUpdate
            out.writeByte(0);
            out.writeShort(2);
            rect(out, 0, RED);
            rect(out, 1, BLUE);
            out.flush();
            return requests;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void rect(DataOutputStream out, int y, int rgb) throws IOException {
        out.writeShort(0);
        out.writeShort(y);
        out.writeShort(4);
        out.writeShort(1);
        out.writeInt(0);
        for (int i = 0; i < 4; i++) {
            out.write(new byte[] {(byte) rgb, (byte) (rgb >> 8), (byte) (rgb >> 16), 0}); // little endian: blue, green, red
        }
    }
}
