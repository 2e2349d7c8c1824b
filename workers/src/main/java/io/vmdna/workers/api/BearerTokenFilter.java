package io.vmdna.workers.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bearer-token authentication for {@code /api/**}: every write (POST, PUT, PATCH, DELETE) needs
 * {@code Authorization: Bearer <token>} naming one of the configured tokens; reads do too unless
 * anonymous reads are allowed. Tokens are compared in constant time. The caller's name (the token's
 * key) is put in the request attribute {@link #CALLER} for the audit trail.
 *
 * <p>With no token configured, every write is refused: there are no anonymous writes by default.
 */
public final class BearerTokenFilter extends OncePerRequestFilter {
  /** Request attribute holding the authenticated caller's name. */
  public static final String CALLER = "vmdna.caller";

  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  private final Map<String, byte[]> tokens;
  private final boolean anonymousReads;

  /**
   * @param tokens caller name → token (surrounding white space is ignored)
   * @param anonymousReads whether GET needs no token
   * @throws IllegalArgumentException if a caller's token is blank, naming the setting
   */
  public BearerTokenFilter(Map<String, String> tokens, boolean anonymousReads) {
    tokens.forEach(
        (caller, token) -> {
          if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(
                "vmdna.api.tokens." + caller + " is blank: give the caller a token or remove it");
          }
        });
    // stripped: a token mounted from a Secret file often ends with a newline
    this.tokens =
        tokens.entrySet().stream()
            .collect(
                java.util.stream.Collectors.toUnmodifiableMap(
                    Map.Entry::getKey, e -> e.getValue().strip().getBytes(StandardCharsets.UTF_8)));
    this.anonymousReads = anonymousReads;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().startsWith("/api/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String caller = caller(request.getHeader("Authorization"));
    if (caller == null && (WRITES.contains(request.getMethod()) || !anonymousReads)) {
      response.setHeader("WWW-Authenticate", "Bearer realm=\"vmdna\"");
      ApiErrors.write(
          response,
          HttpServletResponse.SC_UNAUTHORIZED,
          "a valid bearer token is required for this request");
      return;
    }
    request.setAttribute(CALLER, caller == null ? "anonymous" : caller);
    chain.doFilter(request, response);
  }

  /** The caller named by a header's token, or null. Checks every token (no early exit). */
  private String caller(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    String found = null;
    for (Map.Entry<String, byte[]> t : tokens.entrySet()) {
      if (MessageDigest.isEqual(t.getValue(), given)) {
        found = t.getKey();
      }
    }
    return found;
  }
}
