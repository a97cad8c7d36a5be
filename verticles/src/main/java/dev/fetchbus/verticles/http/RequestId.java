package dev.fetchbus.verticles.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code X-Request-Id}: the client's, when it is a sane token, else a new one; echoed on the response and kept in
 * the request's own Vert.x context, so every log line written while serving the request (in its handlers and in
 * their callbacks, which run on that context) can name it.
 */
public final class RequestId {
  public static final CharSequence HEADER = HttpHeaders.createOptimized("X-Request-Id");
  private static final Object KEY = RequestId.class;
  private static final int MAX_LENGTH = 128;
  /** A random prefix per process plus a counter: unique enough to correlate logs, and far cheaper than a UUID. */
  private static final String PREFIX = Long.toString(ThreadLocalRandom.current().nextLong() >>> 24, 36) + "-";
  private static final AtomicLong COUNTER = new AtomicLong();

  private RequestId() {
  }

  /** Gives the request its id: on the response, and in the request's context for the log lines. */
  static void assign(RoutingContext ctx) {
    String id = ctx.request().getHeader(HEADER);
    if (!acceptable(id)) {
      id = PREFIX + Long.toString(COUNTER.incrementAndGet(), 36);
    }
    ctx.response().headers().add(HEADER, id);
    ContextInternal context = ContextInternal.current();
    if (context != null && context.isDuplicate()) {
      context.putLocal(KEY, id);
    }
  }

  /** The id of the request being served on this thread's Vert.x context, or null. */
  public static String current() {
    ContextInternal context = ContextInternal.current();
    return context == null || !context.isDuplicate() ? null : context.getLocal(KEY);
  }

  /** Letters, digits and {@code -._:}, at most 128: anything else could smuggle text into headers and logs. */
  static boolean acceptable(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
          || c == '_' || c == ':')) {
        return false;
      }
    }
    return true;
  }
}
