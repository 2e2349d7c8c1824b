package io.vmdna.hypervisor.ovirt;

import io.vmdna.hypervisor.api.HypervisorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;

/**
 * How to reach an oVirt engine.
 *
 * <p>The engine's CA comes as the PEM file the engine publishes ({@code
 * /etc/pki/ovirt-engine/ca.pem}, or {@code
 * https://engine/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA});
 * {@link #of} turns it into the trust store the SDK reads (PKCS#12 in a temporary file readable by
 * this user only). Certificate and host name checks stay on.
 *
 * <p>{@link #toString()} never shows the password.
 *
 * @param url the API's URL, e.g. {@code https://engine.example.com/ovirt-engine/api}
 * @param user e.g. {@code admin@internal}
 * @param password the user's password
 * @param trustStore the trust store holding the engine's CA
 * @param trustStorePassword its password
 * @param callTimeout the longest one API call may take
 * @param migrationTimeout the longest a migration may take before the VM is reconciled
 * @param pollInterval how often a migration's progress is read
 */
public record OvirtSettings(
    String url,
    String user,
    String password,
    Path trustStore,
    String trustStorePassword,
    Duration callTimeout,
    Duration migrationTimeout,
    Duration pollInterval) {

  /** Checks that everything is given. */
  public OvirtSettings {
    check(url, user, password);
  }

  private static void check(String url, String user, String password) {
    require(url, "url");
    require(user, "user");
    require(password, "password");
    if (!url.startsWith("https://")) {
      throw new IllegalArgumentException("oVirt url must be https://..., was " + url);
    }
  }

  /**
   * Settings with the engine's CA from a PEM file, a 30 s call timeout, a 30 min migration timeout
   * and a 2 s poll.
   *
   * @throws HypervisorException when the CA file is missing or holds no certificate, naming it
   */
  public static OvirtSettings of(String url, String user, String password, Path caPem) {
    check(url, user, password);
    String storePassword = randomPassword();
    return new OvirtSettings(
        url,
        user,
        password,
        trustStoreOf(caPem, storePassword),
        storePassword,
        Duration.ofSeconds(30),
        Duration.ofMinutes(30),
        Duration.ofSeconds(2));
  }

  /** A copy with other timeouts. */
  public OvirtSettings withTimeouts(Duration call, Duration migration, Duration poll) {
    return new OvirtSettings(
        url, user, password, trustStore, trustStorePassword, call, migration, poll);
  }

  @Override
  public String toString() {
    return "OvirtSettings[url=%s, user=%s, password=***, trustStore=%s, callTimeout=%s, migrationTimeout=%s]"
        .formatted(url, user, trustStore, callTimeout, migrationTimeout);
  }

  private static Path trustStoreOf(Path caPem, String password) {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(caPem)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new HypervisorException("oVirt: CA file " + caPem + " does not exist");
    } catch (IOException | GeneralSecurityException e) {
      throw new HypervisorException("oVirt: CA file " + caPem + " is not PEM: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new HypervisorException("oVirt: CA file " + caPem + " holds no certificate");
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        ks.setCertificateEntry("ovirt-ca-" + i++, c);
      }
      Path file = Files.createTempFile("vmdna-ovirt-ca", ".p12");
      file.toFile().deleteOnExit();
      try (OutputStream out = Files.newOutputStream(file)) {
        ks.store(out, password.toCharArray());
      }
      return file;
    } catch (IOException | GeneralSecurityException e) {
      throw new HypervisorException("oVirt: cannot build a trust store from " + caPem, e);
    }
  }

  private static String randomPassword() {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void require(String v, String name) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("oVirt " + name + " is required");
    }
  }
}
