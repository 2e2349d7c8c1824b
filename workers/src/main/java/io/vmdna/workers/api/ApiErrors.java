package io.vmdna.workers.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * Writes the API's error answer, {@code {"error": "..."}}, from a servlet filter (where the
 * controllers' {@link ApiExceptionHandler} does not reach). Stateless; thread-safe.
 */
final class ApiErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApiErrors() {}

  /** Sets the status and writes the message as the JSON error body. */
  static void write(HttpServletResponse response, int status, String message) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    JSON.writeValue(response.getWriter(), Map.of("error", message));
  }
}
