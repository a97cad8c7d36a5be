package dev.fetchbus.verticles.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.concurrent.TimeUnit;

/**
 * Whether PostgreSQL answers, asked on a connection of its own outside the pool: when every pooled connection is
 * busy the service is overloaded, not down, and the readiness check must not wait in the pool's queue and call it
 * an outage. The connection is opened on the first ping and again after it breaks; a ping that fails or takes longer
 * than the timeout drops it (a connection stuck on a dead network would otherwise never answer again), and a connect
 * attempt that outlives its ping is closed as soon as it completes.
 */
final class DatabasePing {
  private final Vertx vertx;
  private final PgConnectOptions options;
  private final long timeoutMs;
  private Future<PgConnection> connection;

  DatabasePing(Vertx vertx, PgConnectOptions options, long timeoutMs) {
    this.vertx = vertx;
    // One try per ping: the next ping is the retry.
    this.options = new PgConnectOptions(options).setReconnectAttempts(0);
    this.timeoutMs = timeoutMs;
  }

  /** Succeeds once {@code SELECT 1} is answered, fails within the timeout otherwise. */
  Future<Void> ping() {
    Future<PgConnection> current = connection();
    return current.compose(conn -> conn.query("SELECT 1").execute())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .onFailure(err -> drop(current));
  }

  Future<Void> close() {
    return connection == null ? Future.succeededFuture() : drop(connection);
  }

  private Future<PgConnection> connection() {
    if (connection == null) {
      Future<PgConnection> opening = PgConnection.connect(vertx, options);
      // A connection the server closed (a restart) is forgotten at once, so the next ping opens a fresh one.
      opening.onSuccess(conn -> conn.closeHandler(v -> forget(opening)));
      connection = opening;
    }
    return connection;
  }

  /**
   * Forgets the connection and closes it. The close of an open one can be waited for; one still being opened is
   * closed once it is, without waiting for that (up to the client's connect timeout on a dead network).
   */
  private Future<Void> drop(Future<PgConnection> broken) {
    if (!forget(broken)) {
      return Future.succeededFuture();
    }
    Future<Void> closed = broken.compose(PgConnection::close).otherwiseEmpty();
    return broken.isComplete() ? closed : Future.succeededFuture();
  }

  private boolean forget(Future<PgConnection> gone) {
    if (connection != gone) {
      return false;
    }
    connection = null;
    return true;
  }
}
