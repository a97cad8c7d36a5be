package dev.fetchbus.verticles.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The {@code Date} header value, formatted once a second instead of once a request. */
final class HttpDate {
  private CharSequence now = format();

  HttpDate(Vertx vertx) {
    vertx.setPeriodic(1_000, id -> now = format());
  }

  CharSequence now() {
    return now;
  }

  private static CharSequence format() {
    return HttpHeaders.createOptimized(
        DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
  }
}
