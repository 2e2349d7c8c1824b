package io.vmdna.workers.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits on writes to {@code /api/**}, after {@link BearerTokenFilter}: a request body larger than
 * {@code maxBodyBytes} is refused with 413 (a write without a {@code Content-Length} with 411, so
 * the limit holds for chunked bodies too), and each caller may start at most {@code
 * migrationsPerMinute} migrations per minute ({@code POST /api/migrations}, a token bucket that
 * refills continuously), beyond which the answer is 429 with {@code Retry-After} in seconds.
 * Thread-safe.
 */
public final class WriteLimitsFilter extends OncePerRequestFilter {
  private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

  private final int perMinute;
  private final int maxBodyBytes;
  private final Clock clock;
  private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** A caller's token bucket: tokens left and when they were last counted. */
  private static final class Bucket {
    double tokens;
    long atMillis;

    Bucket(double tokens, long atMillis) {
      this.tokens = tokens;
      this.atMillis = atMillis;
    }
  }

  /**
   * @param migrationsPerMinute migrations one caller may start per minute (≥ 1), also the burst
   * @param maxBodyBytes the largest request body accepted, bytes (≥ 1)
   * @param clock time source (tests move it)
   */
  public WriteLimitsFilter(int migrationsPerMinute, int maxBodyBytes, Clock clock) {
    if (migrationsPerMinute < 1 || maxBodyBytes < 1) {
      throw new IllegalArgumentException(
          "vmdna.api.migrations-per-minute and vmdna.api.max-body-bytes must be >= 1, were %d and %d"
              .formatted(migrationsPerMinute, maxBodyBytes));
    }
    this.perMinute = migrationsPerMinute;
    this.maxBodyBytes = maxBodyBytes;
    this.clock = clock;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().startsWith("/api/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (WITH_BODY.contains(request.getMethod())) {
      long length = request.getContentLengthLong();
      if (length < 0) {
        refuse(response, 411, "a Content-Length is required for this request", null);
        return;
      }
      if (length > maxBodyBytes) {
        refuse(
            response,
            413,
            "request body of %d bytes exceeds the limit of %d bytes"
                .formatted(length, maxBodyBytes),
            null);
        return;
      }
    }
    if ("POST".equals(request.getMethod()) && request.getRequestURI().equals("/api/migrations")) {
      Object c = request.getAttribute(BearerTokenFilter.CALLER);
      String caller = c == null ? "anonymous" : c.toString();
      long waitS = take(caller);
      if (waitS > 0) {
        refuse(
            response,
            429,
            "rate limit: %s may start at most %d migrations per minute; retry in %d s"
                .formatted(caller, perMinute, waitS),
            waitS);
        return;
      }
    }
    chain.doFilter(request, response);
  }

  /** Takes a token for the caller; returns 0, or the seconds until one is free. */
  long take(String caller) {
    long now = clock.millis();
    Bucket b = buckets.computeIfAbsent(caller, k -> new Bucket(perMinute, now));
    synchronized (b) {
      double refill = (now - b.atMillis) / 60_000.0 * perMinute;
      b.tokens = Math.min(perMinute, b.tokens + refill);
      b.atMillis = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - b.tokens) / perMinute * 60);
    }
  }

  private static void refuse(HttpServletResponse r, int status, String error, Long retryAfterS)
      throws IOException {
    if (retryAfterS != null) {
      r.setHeader("Retry-After", String.valueOf(retryAfterS));
    }
    ApiErrors.write(r, status, error);
  }
}
