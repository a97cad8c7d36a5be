package dev.fetchbus.verticles.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How one message type crosses the bus as a JSON object: the sender writes it, the receiver reads it, both with this
 * one definition. A field read with the wrong type or form throws ClassCastException or IllegalArgumentException,
 * which {@link Bus#consume} answers with BAD_INPUT.
 */
public record Codec<T>(Function<? super T, JsonObject> writer, Function<JsonObject, ? extends T> reader) {
  /** A JSON document passed on as it is (its shape is the HTTP contract's, docs/openapi.yaml). */
  public static final Codec<JsonObject> DOCUMENT = new Codec<>(json -> json, json -> json);
  /** No content: {} either way. */
  public static final Codec<Void> NONE = new Codec<>(nothing -> new JsonObject(), json -> null);
  /** {"id": job id}, read in its canonical form (NOT_FOUND for an id that is not a UUID: no job has it). */
  public static final Codec<String> JOB_ID = new Codec<>(id -> new JsonObject().put("id", id),
      json -> JobId.canonical(json.getString("id")));

  public JsonObject write(T value) {
    return writer.apply(value);
  }

  public T read(JsonObject json) {
    return reader.apply(json);
  }

  /** An acknowledgement: {"name": true}, read as no content. */
  public static Codec<Void> flag(String name) {
    return new Codec<>(nothing -> new JsonObject().put(name, true), json -> null);
  }

  /** One field of the given type: {"name": value}. */
  public static <T> Codec<T> field(String name, Class<T> type) {
    return new Codec<>(value -> value == null ? new JsonObject() : new JsonObject().put(name, value),
        json -> type.cast(json.getValue(name)));
  }

  /** {"name": [string, …]}. */
  public static Codec<List<String>> strings(String name) {
    return new Codec<>(items -> new JsonObject().put(name, new JsonArray(new ArrayList<>(items))),
        json -> json.getJsonArray(name).stream().map(String.class::cast).toList());
  }

  /** {"name": [item, …]}, each item written and read by {@code item}. */
  public static <T> Codec<List<T>> list(String name, Codec<T> item) {
    return new Codec<>(items -> {
      JsonArray array = new JsonArray(new ArrayList<>(items.size()));
      items.forEach(value -> array.add(item.write(value)));
      return new JsonObject().put(name, array);
    }, json -> {
      JsonArray array = json.getJsonArray(name);
      List<T> items = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        items.add(item.read(array.getJsonObject(i)));
      }
      return items;
    });
  }

  /** A record with {@code toJson()} and a static {@code fromJson(JsonObject)}. */
  public static <T> Codec<T> of(Function<? super T, JsonObject> toJson, Function<JsonObject, ? extends T> fromJson) {
    return new Codec<>(toJson, fromJson);
  }
}
