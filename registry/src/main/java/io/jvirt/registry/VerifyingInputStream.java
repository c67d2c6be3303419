package io.jvirt.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads a blob while hashing and counting it. {@link #verify()} drains what is left and throws
 * {@link ImageException} (DIGEST_MISMATCH) when the bytes do not match the descriptor's digest or size; reading
 * more than the size fails at once. Not thread-safe.
 */
final class VerifyingInputStream extends FilterInputStream {
    private final Descriptor blob;
    private final String from;
    private final MessageDigest hasher;
    private long count;

    VerifyingInputStream(InputStream in, Descriptor blob, String from) {
        super(in);
        this.blob = blob;
        this.from = from;
        this.hasher = blob.digest().hasher();
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            hasher.update((byte) b);
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
            hasher.update(buf, off, n);
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 0))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads the rest and checks size and digest. */
    void verify() throws IOException {
        transferTo(OutputStream.nullOutputStream());
        if (blob.size() >= 0 && count != blob.size()) {
            throw mismatch(count + " bytes, the descriptor says " + blob.size());
        }
        String got = HexFormat.of().formatHex(hasher.digest());
        if (!got.equals(blob.digest().hex())) {
            throw mismatch("content with digest " + blob.digest().algorithm() + ":" + got);
        }
    }

    private void counted(int n) {
        count += n;
        if (blob.size() >= 0 && count > blob.size()) {
            throw mismatch("more than the " + blob.size() + " bytes of the descriptor");
        }
    }

    private ImageException mismatch(String what) {
        return new ImageException(ImageException.Kind.DIGEST_MISMATCH, "blob " + blob.digest() + " from " + from + " does not match its digest: got "
                + what + "; refused, nothing kept");
    }
}
