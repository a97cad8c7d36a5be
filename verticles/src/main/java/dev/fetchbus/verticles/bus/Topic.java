package dev.fetchbus.verticles.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * A published address of a verticle's contract: the address and how its messages cross the bus. Published to every
 * consumer in the cluster, answered by none.
 */
public record Topic<T>(String address, Codec<T> codec) {

  public void publish(Vertx vertx, T message) {
    vertx.eventBus().publish(address, codec.write(message));
  }

  /** Subscribes {@code handler}; the returned future completes once the subscription is registered. */
  public Future<Void> subscribe(Vertx vertx, Handler<T> handler) {
    return consumer(vertx, handler).completion();
  }

  /** Subscribes {@code handler} and returns the consumer, for a subscription its owner ends. */
  public MessageConsumer<JsonObject> consumer(Vertx vertx, Handler<T> handler) {
    return vertx.eventBus().consumer(address, message -> handler.handle(codec.read(message.body())));
  }
}
