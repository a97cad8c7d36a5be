package dev.fetchbus.verticles.bridge;

import dev.fetchbus.verticles.auth.ApiTokens;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's event hook: when API tokens are configured, a send, publish or register frame goes through only
 * with a valid token, in its "token" header or as a "token" field of a JSON object body. The token is taken out of
 * the frame before it is forwarded, so it never reaches a consumer (nor fails a submission as an unknown field).
 */
final class BridgeGuard implements Handler<BridgeEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeGuard.class);
  static final String TOKEN = "token";

  private final ApiTokens tokens;

  BridgeGuard(ApiTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public void handle(BridgeEvent event) {
    BridgeEventType type = event.type();
    if (type != BridgeEventType.SEND && type != BridgeEventType.PUBLISH && type != BridgeEventType.REGISTER) {
      event.complete(true);
      return;
    }
    // The frame is forwarded as this very object once the event completes: removing the token here removes it there.
    boolean allowed = allows(takeToken(event.getRawMessage()));
    if (!allowed) {
      LOG.warn("bridge: refused {} on {} from {}: no valid token", type, event.getRawMessage().getString("address"),
          event.socket().remoteAddress());
    }
    event.complete(allowed);
  }

  boolean allows(String token) {
    return !tokens.required() || tokens.match(token) >= 0;
  }

  /** Removes the token from the frame's headers and body; the header wins when both carry one. */
  static String takeToken(JsonObject frame) {
    Object fromHeader = frame.getValue("headers") instanceof JsonObject headers ? headers.remove(TOKEN) : null;
    Object fromBody = frame.getValue("body") instanceof JsonObject body ? body.remove(TOKEN) : null;
    Object token = fromHeader != null ? fromHeader : fromBody;
    return token instanceof String s ? s : null;
  }
}
