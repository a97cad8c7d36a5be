package dev.fetchbus.verticles.auth;

import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The API tokens the service accepts, kept only as SHA-256 hashes and compared in constant time, so neither a heap
 * dump nor response timing gives a token away.
 */
public final class ApiTokens {
  private final List<byte[]> hashes;

  private ApiTokens(List<byte[]> hashes) {
    this.hashes = hashes;
  }

  /** From {@code auth.tokens}: a list of token strings (blank ones ignored). */
  public static ApiTokens of(JsonArray tokens) {
    return new ApiTokens(tokens == null ? List.of() : tokens.stream()
        .map(String::valueOf).map(String::trim).filter(t -> !t.isEmpty()).map(ApiTokens::sha256).toList());
  }

  /** True when tokens are configured: only then do protected routes ask for one. */
  public boolean required() {
    return !hashes.isEmpty();
  }

  /**
   * The index of the matching token (a stable, non-secret name for it, e.g. for rate limits), or -1. Every
   * configured hash is compared, match or not, so the time taken does not say which one matched.
   */
  public int match(String token) {
    if (token == null) {
      return -1;
    }
    byte[] hash = sha256(token);
    int found = -1;
    for (int i = 0; i < hashes.size(); i++) {
      if (MessageDigest.isEqual(hashes.get(i), hash) && found < 0) {
        found = i;
      }
    }
    return found;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
