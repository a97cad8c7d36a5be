package dev.fetchbus.verticles.store;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

/** Where the database is: one {@code postgresql://user:pass@host:port/db} URL, read from the {@code pg} config. */
public final class Database {
  private Database() {
  }

  public static PgConnectOptions connectOptions(JsonObject pgConfig) {
    String url = pgConfig.getString("url");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("pg.url is not set");
    }
    return PgConnectOptions.fromUri(url)
        .setReconnectAttempts(pgConfig.getInteger("reconnectAttempts", 0))
        .setReconnectInterval(pgConfig.getLong("reconnectIntervalMs", 500L))
        .setCachePreparedStatements(true);
  }

  public static String jdbcUrl(PgConnectOptions options) {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }
}
