package io.vmdna.hypervisor.image;

import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.ImageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Converted images kept by what they were converted from: the SHA-256 of the source file's bytes
 * and the target format. A second conversion of the same bytes to the same format (a retried
 * migration, VMs cloned from one template, a VM moved back and forth while its disk did not change)
 * reads the source to hash it but runs no {@code qemu-img convert}: hashing reads the image once,
 * converting reads it, writes the result and verifies it ({@code check}, {@code compare}).
 *
 * <p>Entries are {@code <sha256>.<extension>} in the cache folder, complete or absent (each appears
 * by {@link QemuImg}'s atomic rename after its verification); at most {@code maxEntries} are kept,
 * the least recently used deleted first. Callers copy an entry before changing it. Safe for
 * concurrent use within one process: conversions of one key run one at a time (the second waits and
 * then hits), of different keys in parallel. One process per cache folder: two processes converting
 * the same content at once would share the temporary file.
 */
public final class ConversionCache {
  private final Path dir;
  private final int maxEntries;
  private final QemuImg qemuImg;
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  /**
   * @param dir the cache folder (created when first needed)
   * @param maxEntries converted images kept, at least 1
   * @param qemuImg the tool that converts
   * @throws IllegalArgumentException if {@code maxEntries < 1}
   */
  public ConversionCache(Path dir, int maxEntries, QemuImg qemuImg) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException(
          "conversion cache needs at least 1 entry, was " + maxEntries);
    }
    this.dir = dir;
    this.maxEntries = maxEntries;
    this.qemuImg = qemuImg;
  }

  /**
   * The source converted to {@code format}: from the cache when these bytes were converted to it
   * before, else converted (and verified) now and kept. The returned file belongs to the cache:
   * copy it before writing to it.
   *
   * @param sourceInUse the source is open in a running guest ({@code qemu-img -U}; only for a base
   *     an external snapshot has frozen, else the bytes hashed are not the bytes converted)
   * @throws HypervisorException naming the source when it cannot be read or converted
   */
  public Path converted(
      Path source, ImageFormat sourceFormat, ImageFormat format, boolean sourceInUse) {
    String key = sha256(source) + "." + format.extension();
    Path entry = dir.resolve(key);
    synchronized (locks.computeIfAbsent(key, k -> new Object())) {
      try {
        if (Files.exists(entry)) {
          hits.incrementAndGet();
          Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis()));
          return entry;
        }
        Files.createDirectories(dir);
        qemuImg.convert(source, sourceFormat, entry, format, sourceInUse);
        misses.incrementAndGet();
        evictBeyondLimit(entry);
        return entry;
      } catch (IOException e) {
        throw new HypervisorException("conversion cache " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  /** Lookups answered from the cache since this instance was made. */
  public long hits() {
    return hits.get();
  }

  /** Lookups that converted since this instance was made. */
  public long misses() {
    return misses.get();
  }

  /** Deletes the least recently used entries beyond {@code maxEntries}, never {@code keep}. */
  private void evictBeyondLimit(Path keep) throws IOException {
    List<Path> entries;
    try (Stream<Path> files = Files.list(dir)) {
      entries =
          files
              .filter(p -> !p.getFileName().toString().endsWith(".part"))
              .sorted(Comparator.comparing(ConversionCache::lastModified))
              .toList();
    }
    for (int i = 0; i < entries.size() - maxEntries; i++) {
      if (!entries.get(i).equals(keep)) {
        Files.deleteIfExists(entries.get(i));
      }
    }
  }

  private static FileTime lastModified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException gone) {
      return FileTime.fromMillis(0);
    }
  }

  /** The SHA-256 of a file's bytes, hex. */
  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new HypervisorException("cannot read image " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
