package dev.fetchbus.verticles.bus;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

/** The closed set of failure codes a consumer replies with via {@code message.fail(code, text)}. */
public enum FailureCode {
  BAD_INPUT(1),
  NOT_FOUND(2),
  CONFLICT(3),
  UNAVAILABLE(4),
  INTERNAL(5),
  /** Up but saturated: every database connection stayed busy for the whole wait. Not an outage. */
  OVERLOADED(6);

  public final int code;

  FailureCode(int code) {
    this.code = code;
  }

  public void fail(Message<?> message, String text) {
    message.fail(code, text);
  }

  /** The code carried by a reply failure; INTERNAL for anything unknown. */
  public static FailureCode of(ReplyException failure) {
    for (FailureCode c : values()) {
      if (c.code == failure.failureCode()) {
        return c;
      }
    }
    return INTERNAL;
  }

  /** A failure a consumer can raise in a future chain; {@link Bus#replyTo} turns it into {@code message.fail}. */
  public BusFailure exception(String text) {
    return new BusFailure(this, text);
  }

  public static final class BusFailure extends RuntimeException {
    public final FailureCode code;

    BusFailure(FailureCode code, String text) {
      super(text, null, false, false);
      this.code = code;
    }
  }
}
