package dev.fetchbus.verticles.store;

import dev.fetchbus.verticles.bus.FailureCode;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Tells the failures that say nothing about the query itself from those that do: a database that cannot be reached
 * (UNAVAILABLE: a 503 to users, a pause to the fetcher), a pool with every connection busy (OVERLOADED: a 503 that
 * does not mean the database is down), or neither (the query's own failure, passed on).
 */
final class StoreFailures {
  /** What vertx-sql-client's pool fails a query with when no connection came free in time (Pool#query). */
  private static final String QUERY_WAIT_TIMED_OUT = "Timeout waiting for connection";
  /**
   * The same for a connection asked for (Pool#getConnection, Pool#withTransaction). Both come as a VertxException
   * (the second as its internal subclass NoStackTraceThrowable): the public type and the message tell them.
   */
  private static final String CONNECTION_WAIT_TIMED_OUT = "Timeout";

  private StoreFailures() {
  }

  /** The failure as the store's consumers answer it: OVERLOADED or UNAVAILABLE with the cause, else itself. */
  static Throwable forBus(Throwable failure) {
    if (poolExhausted(failure)) {
      return FailureCode.OVERLOADED.exception("no database connection came free in time: " + failure.getMessage());
    }
    if (databaseUnreachable(failure)) {
      return FailureCode.UNAVAILABLE.exception("the database is unavailable: " + failure.getMessage());
    }
    return failure;
  }

  /**
   * The pool's wait for a connection timed out ({@code pg.connectTimeoutMs}), or its wait queue is full
   * ({@code pg.maxWaitQueue}). The pool raises the timeouts as plain exceptions told apart only by their text.
   */
  private static boolean poolExhausted(Throwable failure) {
    return failure instanceof ConnectionPoolTooBusyException
        || failure instanceof VertxException && (QUERY_WAIT_TIMED_OUT.equals(failure.getMessage())
        || CONNECTION_WAIT_TIMED_OUT.equals(failure.getMessage()));
  }

  private static boolean databaseUnreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pg) {
        String state = pg.getSqlState() == null ? "" : pg.getSqlState();
        // 08: connection exceptions; 57P01-57P03: the server is shutting down, crashed or starting up.
        return state.startsWith("08") || state.startsWith("57P");
      }
      // Refused or reset connections, a connection that closed under a query, a ping that did not answer in time.
      if (t instanceof IOException || t instanceof ClosedConnectionException || t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
