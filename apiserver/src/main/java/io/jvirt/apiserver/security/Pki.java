package io.jvirt.apiserver.security;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's PKI in {@code <dir>}: a self-signed CA ({@code ca.crt}, {@code ca.key}) and a server
 * certificate for localhost / 127.0.0.1 / ::1 ({@code server.crt}, {@code server.key}), all PEM,
 * keys PKCS#8, ECDSA P-256. Created on first use, reused afterwards. Not thread-safe against a
 * second process initialising the same directory at the same time.
 */
public record Pki(Path caCert, Path serverCert, Path serverKey) {

    /** Loads the PKI from {@code dir} (made 0700; keys 0600), generating the missing files first. */
    public static Pki ensure(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
            // non-POSIX file system
        }
        Path caCrt = dir.resolve("ca.crt"), caKey = dir.resolve("ca.key");
        Path crt = dir.resolve("server.crt"), key = dir.resolve("server.key");
        if (!(Files.exists(caCrt) && Files.exists(crt) && Files.exists(key))) {
            try {
                generate(caCrt, caKey, crt, key);
            } catch (GeneralSecurityException | OperatorCreationException e) {
                throw new IOException("cannot generate certificates", e);
            }
        }
        return new Pki(caCrt, crt, key);
    }

    private static void generate(Path caCrt, Path caKey, Path crt, Path key)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ca = gen.generateKeyPair();
        KeyPair server = gen.generateKeyPair();
        Instant now = Instant.now().minus(Duration.ofHours(1));
        X500Name caName = new X500Name("CN=jvirt-ca");
        X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now),
                Date.from(now.plus(Duration.ofDays(3650))), caName, ca.getPublic());
        caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate caCert = sign(caBuilder, ca.getPrivate());

        X509v3CertificateBuilder sb = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now),
                Date.from(now.plus(Duration.ofDays(3650))), new X500Name("CN=jvirt-apiserver"), server.getPublic());
        sb.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        sb.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        sb.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        sb.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1")}));
        X509Certificate serverCert = sign(sb, ca.getPrivate());

        writePrivate(caKey, pem("PRIVATE KEY", ca.getPrivate().getEncoded()));
        writePrivate(key, pem("PRIVATE KEY", server.getPrivate().getEncoded()));
        Files.writeString(crt, pem("CERTIFICATE", serverCert.getEncoded()) + pem("CERTIFICATE", caCert.getEncoded()));
        Files.writeString(caCrt, pem("CERTIFICATE", caCert.getEncoded()));
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
    }

    private static String pem(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
    }

    private static void writePrivate(Path p, String content) throws IOException {
        Files.writeString(p, ""); // private before the key goes in
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // non-POSIX file system: nothing more to do
        }
        Files.writeString(p, content);
    }

    /** The CA certificate PEM, as a kubeconfig's certificate-authority-data wants it (before base64). */
    public String caPem() throws IOException {
        return Files.readString(caCert);
    }
}
