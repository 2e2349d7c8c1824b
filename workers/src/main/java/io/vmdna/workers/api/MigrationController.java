package io.vmdna.workers.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API of the Migration Coordinator. The OpenAPI document is served at {@code
 * /v3/api-docs}. Writes need a bearer token ({@link BearerTokenFilter}).
 */
@RestController
@RequestMapping("/api/migrations")
public class MigrationController {
  private final MigrationService service;

  public MigrationController(MigrationService service) {
    this.service = service;
  }

  /** Starts a migration: 202 with its record and a Location header. */
  @PostMapping
  public ResponseEntity<MigrationView> start(
      @Valid @RequestBody MigrationRequestBody body, HttpServletRequest request) {
    MigrationView m = service.start(body, caller(request));
    return ResponseEntity.accepted()
        .location(URI.create("/api/migrations/" + m.migrationId()))
        .body(m);
  }

  /** A migration with its step history; 404 when unknown. */
  @GetMapping("/{id}")
  public MigrationView get(@PathVariable String id) {
    return service.get(id);
  }

  /** Migrations, of one VM when {@code vm} is given. */
  @GetMapping
  public List<MigrationView> list(@RequestParam(name = "vm", required = false) String vm) {
    return service.list(vm);
  }

  /** Cancels a running migration: 202; 404 when unknown, 409 when it has ended. */
  @DeleteMapping("/{id}")
  public ResponseEntity<MigrationView> cancel(@PathVariable String id, HttpServletRequest request) {
    return ResponseEntity.accepted().body(service.cancel(id, caller(request)));
  }

  private static String caller(HttpServletRequest request) {
    Object c = request.getAttribute(BearerTokenFilter.CALLER);
    return c == null ? "anonymous" : c.toString();
  }
}
