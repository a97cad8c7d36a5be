package dev.fetchbus.verticles.store;

import dev.fetchbus.verticles.store.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema up to date with Flyway over JDBC. JDBC blocks, so the plan deploys this verticle as a worker
 * and before the store: its start() runs on a worker thread and completes once the schema is current.
 */
public class MigrationVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationVerticle.class);

  @Override
  public Future<?> start() {
    if (Thread.currentThread().getName().startsWith("vert.x-eventloop")) {
      return Future.failedFuture("MigrationVerticle must be deployed as a worker (threading WORKER in the plan)");
    }
    JsonObject pg = config().getJsonObject("pg");
    PgConnectOptions db = Database.connectOptions(pg);
    MigrateResult result = Flyway.configure()
        .dataSource(Database.jdbcUrl(db), db.getUser(), db.getPassword())
        .locations("classpath:db/migration")
        .connectRetries(pg.getInteger("migrationConnectRetries", 5))
        .load()
        .migrate();
    LOG.info("schema current ({} migration(s) applied now)", result.migrationsExecuted);
    return Future.succeededFuture();
  }
}
