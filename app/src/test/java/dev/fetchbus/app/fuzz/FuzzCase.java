package dev.fetchbus.app.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One generated request. The target may name ids the run has learned, as {@code {job:N}} or {@code {upload:N}},
 * resolved when the request is sent. {@code operation} is the operation the request was drawn from (the method or
 * path may have been changed since). {@code replay}, for job submissions, is a second body sent right after with the
 * same headers (an Idempotency-Key replay or conflict).
 */
public record FuzzCase(String operation, String method, String target, List<String[]> headers, Body body,
                       Body replay, Set<Flag> flags) {
  /** What the generator did on purpose, which widens or narrows the answers the contract allows. */
  public enum Flag {
    /** The path was changed beyond its parameters (encodings, extra segments): 400 or 404 may be the answer. */
    ODD_PATH,
    /** The request breaks HTTP/1.1 syntax: 400, 414 or 431 may be the answer. */
    MALFORMED,
    /** Sent on a connection of its own, closed after: the request may leave the connection unusable. */
    FRESH,
    /** A job this request creates is cancelled at once (a large one). */
    CANCEL_AT_ONCE
  }

  /** A request body and a short description of it for reports. {@code chunked}: sent with chunked encoding. */
  public record Body(byte[] bytes, String description, boolean chunked) {
    public static final Body NONE = new Body(new byte[0], "", false);

    public static Body of(String text, String description) {
      return new Body(text.getBytes(StandardCharsets.UTF_8), description, false);
    }

    @Override
    public String toString() {
      return description.length() > 300 ? description.substring(0, 300) + "…(" + bytes.length + " bytes)" : description;
    }
  }

  public FuzzCase {
    headers = List.copyOf(headers);
    flags = flags.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(flags);
  }

  public FuzzCase withMethod(String newMethod) {
    return new FuzzCase(operation, newMethod, target, headers, body, replay, flags);
  }

  public FuzzCase withHeaders(List<String[]> more) {
    List<String[]> all = new ArrayList<>(headers);
    all.addAll(more);
    return new FuzzCase(operation, method, target, all, body, replay, flags);
  }

  public String header(String name) {
    return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(operation).append(": ").append(method).append(' ')
        .append(target.length() > 300 ? target.substring(0, 300) + "…(" + target.length() + " chars)" : target);
    headers.forEach(h -> text.append(" | ").append(h[0]).append(": ")
        .append(h[1].length() > 100 ? h[1].substring(0, 100) + "…(" + h[1].length() + " chars)" : h[1]));
    if (body.bytes().length > 0 || body.chunked()) {
      text.append(" | body ").append(body);
    }
    if (replay != null) {
      text.append(" | then ").append(replay);
    }
    return text.append(flags.isEmpty() ? "" : " " + flags).toString();
  }
}
