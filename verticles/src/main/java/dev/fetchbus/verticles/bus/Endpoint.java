package dev.fetchbus.verticles.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * One request/reply address of a verticle's contract: the address, how its request and its reply cross the bus, and
 * whether bridge clients may send to it. Callers ask through {@link #ask}; the owning verticle answers through
 * {@link #bind}; neither writes the address or a field name itself.
 */
public record Endpoint<Q, R>(String address, Codec<Q> request, Codec<R> reply, boolean bridged) {

  public static <Q, R> Endpoint<Q, R> of(String address, Codec<Q> request, Codec<R> reply) {
    return new Endpoint<>(address, request, reply, false);
  }

  /** The same endpoint, open to TCP bridge clients (the bridge's inbound allow-list is read from this flag). */
  public Endpoint<Q, R> openToBridge() {
    return new Endpoint<>(address, request, reply, true);
  }

  public Future<R> ask(Bus bus, Q message) {
    return bus.request(address, request.write(message)).map(reply::read);
  }

  /**
   * The consumer side: {@code handler} answers each request, read and replied with this endpoint's codecs. A request
   * that cannot be read (a field missing, of the wrong type or form) is the sender's mistake: BAD_INPUT; what the
   * handler throws is its own (see {@link Bus#consume}).
   */
  public Binding bind(Function<Q, Future<R>> handler) {
    return new Binding(address, json -> handler.apply(read(json)).map(reply::write));
  }

  private Q read(JsonObject json) {
    try {
      return request.read(json);
    } catch (FailureCode.BusFailure e) {
      throw e;
    } catch (RuntimeException e) {
      throw FailureCode.BAD_INPUT.exception(address + ": malformed request: " + e);
    }
  }

  /** An address with its JSON handler, ready for {@link Bus#serve}. */
  public record Binding(String address, Function<JsonObject, Future<JsonObject>> handler) {
  }
}
