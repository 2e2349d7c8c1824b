package io.vmdna.workers.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class BearerTokenFilterTest {
  private static int status(BearerTokenFilter f, String header) throws Exception {
    MockHttpServletRequest req = new MockHttpServletRequest("POST", "/api/migrations");
    if (header != null) {
      req.addHeader("Authorization", header);
    }
    MockHttpServletResponse res = new MockHttpServletResponse();
    f.doFilter(req, res, new MockFilterChain());
    return res.getStatus();
  }

  @Test
  void shouldAcceptATokenMountedWithATrailingNewline() throws Exception {
    BearerTokenFilter f = new BearerTokenFilter(Map.of("ops", "t0ken-from-a-secret\n"), true);
    assertThat(status(f, "Bearer t0ken-from-a-secret")).isEqualTo(200);
    assertThat(status(f, "Bearer t0ken-from-a-secre")).isEqualTo(401);
  }

  @Test
  void shouldRefuseABlankTokenNamingTheCaller() {
    // a blank token would let "Authorization: Bearer " through
    assertThatThrownBy(() -> new BearerTokenFilter(Map.of("ops", " \n"), true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vmdna.api.tokens.ops is blank");
  }
}
