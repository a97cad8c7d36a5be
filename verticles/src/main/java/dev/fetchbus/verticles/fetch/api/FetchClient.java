package dev.fetchbus.verticles.fetch.api;

import dev.fetchbus.verticles.bus.Bus;
import dev.fetchbus.verticles.bus.JobView;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** The fetcher asked over the event bus, each request with the {@link Bus}'s timeout. */
final class FetchClient implements FetchApi {
  private final Bus bus;

  FetchClient(Bus bus) {
    this.bus = bus;
  }

  @Override
  public Future<Boolean> run(String id) {
    return RUN.ask(bus, id);
  }

  @Override
  public Future<JobView> cancel(String id) {
    return CANCEL.ask(bus, id);
  }

  @Override
  public Future<Void> purge(String id) {
    return PURGE.ask(bus, id);
  }

  @Override
  public Future<JsonObject> monitor() {
    return MONITOR.ask(bus, null);
  }
}
