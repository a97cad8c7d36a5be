package dev.fetchbus.verticles.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class BusTest {
  @Test
  void failuresReachTheSenderAsCodes(Vertx vertx, VertxTestContext ctx) {
    Bus bus = new Bus(vertx, 2_000);
    Future.all(
            Bus.consume(vertx, "test.echo", req -> Future.succeededFuture(req.put("echoed", true))),
            Bus.consume(vertx, "test.missing", req -> Future.failedFuture(FailureCode.NOT_FOUND.exception("no such thing"))),
            Bus.consume(vertx, "test.malformed", req -> Future.succeededFuture(new JsonObject().put("n", req.getInteger("n") + 1))),
            Bus.consume(vertx, "test.broken", req -> Future.failedFuture(new IllegalStateException("disk on fire"))),
            Bus.consume(vertx, "test.buggy", req -> {
              String missing = null;
              return Future.succeededFuture(new JsonObject().put("n", missing.length()));
            }))
        .compose(v -> bus.request("test.echo", new JsonObject().put("a", 1)))
        .onSuccess(reply -> ctx.verify(() -> assertThat(reply.getBoolean("echoed")).isTrue()))
        .compose(v -> codeOf(bus.request("test.missing", new JsonObject())))
        .onSuccess(code -> ctx.verify(() -> assertThat(code).isEqualTo(FailureCode.NOT_FOUND)))
        .compose(v -> codeOf(bus.request("test.malformed", new JsonObject().put("n", "not a number"))))
        .onSuccess(code -> ctx.verify(() -> assertThat(code).isEqualTo(FailureCode.BAD_INPUT)))
        .compose(v -> codeOf(bus.request("test.broken", new JsonObject())))
        .onSuccess(code -> ctx.verify(() -> assertThat(code).isEqualTo(FailureCode.INTERNAL)))
        // A bug in the handler (here a NullPointerException) is the handler's failure, not the sender's.
        .compose(v -> codeOf(bus.request("test.buggy", new JsonObject())))
        .onSuccess(code -> ctx.verify(() -> assertThat(code).isEqualTo(FailureCode.INTERNAL)))
        .compose(v -> bus.request("test.nobody", new JsonObject()).map("unexpected reply").recover(err ->
            Future.succeededFuture(((ReplyException) err).failureType().name())))
        .onComplete(ctx.succeeding(type -> ctx.verify(() -> {
          assertThat(type).isEqualTo(ReplyFailure.NO_HANDLERS.name());
          ctx.completeNow();
        })));
  }

  private static Future<FailureCode> codeOf(Future<JsonObject> reply) {
    return reply.<FailureCode>map(r -> {
      throw new AssertionError("expected a failure, got " + r);
    }).recover(err -> Future.succeededFuture(FailureCode.of((ReplyException) err)));
  }
}
