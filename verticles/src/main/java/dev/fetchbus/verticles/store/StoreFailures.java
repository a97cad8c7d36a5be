package dev.fetchbus.verticles.store;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Tells a database that cannot be reached (a 503 to users, a pause to the fetcher) from a query that failed. */
final class StoreFailures {
  private StoreFailures() {
  }

  static boolean databaseUnreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pg) {
        String state = pg.getSqlState() == null ? "" : pg.getSqlState();
        // 08: connection exceptions; 57P01-57P03: the server is shutting down, crashed or starting up.
        return state.startsWith("08") || state.startsWith("57P");
      }
      // Refused or reset connections, a connection that closed under a query, no connection within the timeout.
      if (t instanceof IOException || t instanceof ClosedConnectionException || t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
