package dev.fetchbus.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import dev.fetchbus.verticles.http.RequestId;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the id of the HTTP request being served into the MDC ({@code requestId}) just before each log line is made.
 * MDC is per thread and an event loop serves thousands of requests in turn, so the id is read from the request's
 * Vert.x context at every call rather than set once per request.
 */
public final class RequestIdMdc extends TurboFilter {
  static final String KEY = "requestId";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level != null && level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      String id = RequestId.current();
      if (id != null) {
        MDC.put(KEY, id);
      } else if (MDC.get(KEY) != null) {
        MDC.remove(KEY);
      }
    }
    return FilterReply.NEUTRAL;
  }
}
