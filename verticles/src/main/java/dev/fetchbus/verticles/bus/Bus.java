package dev.fetchbus.verticles.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Request/reply over the event bus with an explicit timeout on every send, and consumers that map failures to codes. */
public final class Bus {
  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);

  private final Vertx vertx;
  private final DeliveryOptions options;

  public Bus(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  public Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, options).map(Message::body);
  }

  /**
   * Registers a consumer whose handler returns a future reply; a {@link FailureCode.BusFailure} becomes its code, a
   * request field of the wrong type or form (thrown while reading it: ClassCastException, IllegalArgumentException)
   * BAD_INPUT, any other failure INTERNAL with its stack trace logged: a bug in a handler must not look like the
   * sender's mistake. Returns the consumer's registration completion.
   */
  public static Future<Void> consume(Vertx vertx, String address,
                                     Function<JsonObject, Future<JsonObject>> handler) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, message -> replyTo(message, handler));
    return consumer.completion();
  }

  /**
   * Registers every binding of a contract, each handler's failures first passed through {@code failures} (a store
   * turns a lost connection into UNAVAILABLE, say); completes once all are registered.
   */
  public static Future<Void> serve(Vertx vertx, List<Endpoint.Binding> bindings,
                                   UnaryOperator<Throwable> failures) {
    return Future.all(bindings.stream().map(binding -> consume(vertx, binding.address(), request -> binding.handler()
        .apply(request).recover(err -> Future.failedFuture(failures.apply(err))))).toList()).mapEmpty();
  }

  public static Future<Void> serve(Vertx vertx, List<Endpoint.Binding> bindings) {
    return serve(vertx, bindings, UnaryOperator.identity());
  }

  private static void replyTo(Message<JsonObject> message, Function<JsonObject, Future<JsonObject>> handler) {
    Future<JsonObject> reply;
    try {
      reply = handler.apply(message.body() == null ? new JsonObject() : message.body());
    } catch (FailureCode.BusFailure e) {
      reply = Future.failedFuture(e);
    } catch (ClassCastException | IllegalArgumentException e) {
      // What JsonObject's typed getters, UUID.fromString and enum lookups throw on a malformed field.
      reply = Future.failedFuture(FailureCode.BAD_INPUT.exception(message.address() + ": " + e));
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onSuccess(message::reply).onFailure(err -> {
      if (err instanceof FailureCode.BusFailure failure) {
        failure.code.fail(message, failure.getMessage());
      } else if (err instanceof ReplyException downstream) {
        // A consumer that asked another one passes its answer on: the same code, or UNAVAILABLE when nobody answered.
        if (downstream.failureType() == io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE) {
          message.fail(downstream.failureCode(), downstream.getMessage());
        } else {
          FailureCode.UNAVAILABLE.fail(message, downstream.getMessage());
        }
      } else {
        LOG.error("{} failed", message.address(), err);
        FailureCode.INTERNAL.fail(message, String.valueOf(err.getMessage()));
      }
    });
  }
}
