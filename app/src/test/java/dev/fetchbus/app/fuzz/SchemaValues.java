package dev.fetchbus.app.fuzz;

import dev.fetchbus.app.fuzz.JsonText.Obj;
import dev.fetchbus.app.fuzz.JsonText.Raw;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * JSON values drawn from a JSON Schema (the subset docs/openapi.yaml uses): {@link #valid} values it accepts, and
 * {@link #odd} ones it refuses or that sit on its edges: wrong types, numbers just out of range or far out of it,
 * strings empty, too long or full of unicode and control characters, arrays empty or too long, objects missing a
 * required member or with unknown or repeated ones. Where a pointer needs values of its own (URLs), the
 * {@link Overrides} give them.
 */
public final class SchemaValues {
  /** Values for particular places in the document, by JSON pointer ({@code *} for any array index). */
  public interface Overrides {
    Overrides NONE = new Overrides() {
      @Override
      public Arbitrary<Object> valid(String pointer) {
        return null;
      }

      @Override
      public Arbitrary<Object> odd(String pointer) {
        return null;
      }
    };

    /** Values accepted at that place, or null for the schema's own. */
    Arbitrary<Object> valid(String pointer);

    /** Values refused at that place, mixed in with the schema's own odd values; or null. */
    Arbitrary<Object> odd(String pointer);
  }

  /** Arrays are kept this short when valid; longer ones are the callers' to make on purpose. */
  private static final int MAX_VALID_ITEMS = 6;
  private static final int VALID_STRING = 24;
  /** Stands for JSON null inside Map.entry, which takes no nulls. */
  private static final Object NULL = new Object();

  private final Overrides overrides;

  public SchemaValues(Overrides overrides) {
    this.overrides = overrides;
  }

  public Arbitrary<Object> valid(Map<String, Object> schema) {
    return valid(schema, "");
  }

  public Arbitrary<Object> odd(Map<String, Object> schema) {
    return odd(schema, "");
  }

  Arbitrary<Object> valid(Map<String, Object> schema, String pointer) {
    Arbitrary<Object> override = overrides.valid(pointer);
    if (override != null) {
      return override;
    }
    if (schema.get("enum") instanceof List<?> values) {
      return Arbitraries.of(new ArrayList<Object>(values));
    }
    List<Arbitrary<Object>> choices = new ArrayList<>();
    for (String type : types(schema)) {
      choices.add(switch (type) {
        case "null" -> Arbitraries.just(null);
        case "boolean" -> Arbitraries.of(true, false);
        case "integer" -> {
          long min = number(schema, "minimum", -1_000_000L);
          long max = number(schema, "maximum", 1_000_000L);
          // The bounds themselves, as often as any value between.
          yield Arbitraries.oneOf(Arbitraries.longs().between(min, max), Arbitraries.of(min, max))
              .map(n -> (Object) n);
        }
        case "number" -> Arbitraries.doubles().between(-1e6, 1e6).map(n -> (Object) n);
        case "string" -> validString(schema);
        case "array" -> validArray(schema, pointer);
        case "object" -> validObject(schema, pointer);
        default -> throw new IllegalArgumentException("type " + type + " at " + pointer);
      });
    }
    return Arbitraries.oneOf(choices);
  }

  Arbitrary<Object> odd(Map<String, Object> schema, String pointer) {
    List<Arbitrary<Object>> choices = new ArrayList<>();
    choices.add(wrongType(types(schema)));
    Arbitrary<Object> override = overrides.odd(pointer);
    if (override != null) {
      choices.add(override);
    }
    if (schema.get("enum") instanceof List<?> values) {
      choices.add(Arbitraries.of(values.stream().filter(v -> v instanceof String)
          .flatMap(v -> List.<Object>of(((String) v).toUpperCase(), " " + v, v + "\u0000", v + "x").stream())
          .toList()));
    }
    for (String type : types(schema)) {
      switch (type) {
        case "integer", "number" -> choices.add(oddNumber(schema));
        case "string" -> choices.add(oddString(schema));
        case "array" -> choices.add(oddArray(schema, pointer));
        case "object" -> choices.add(oddObject(schema, pointer));
        default -> {
        }
      }
    }
    return Arbitraries.oneOf(choices);
  }

  private Arbitrary<Object> validString(Map<String, Object> schema) {
    if ("uuid".equals(schema.get("format"))) {
      return Arbitraries.randoms().map(r -> (Object) new UUID(r.nextLong(), r.nextLong()).toString());
    }
    int min = (int) number(schema, "minLength", 0L);
    int max = (int) Math.min(number(schema, "maxLength", VALID_STRING), Math.max(min, VALID_STRING));
    if (schema.containsKey("pattern")) {
      return Strings.matching(String.valueOf(schema.get("pattern")), min, max).map(s -> (Object) s);
    }
    return Strings.any().ofMinLength(min).ofMaxLength(max).map(s -> (Object) s);
  }

  private Arbitrary<Object> validArray(Map<String, Object> schema, String pointer) {
    Map<String, Object> items = Contract.map(schema.get("items"));
    int min = (int) number(schema, "minItems", 0L);
    int max = (int) Math.min(number(schema, "maxItems", MAX_VALID_ITEMS), Math.max(min, MAX_VALID_ITEMS));
    return valid(items, pointer + "/*").list().ofMinSize(min).ofMaxSize(max).map(list -> (Object) list);
  }

  private Arbitrary<Object> validObject(Map<String, Object> schema, String pointer) {
    Map<String, Object> properties = properties(schema);
    List<?> required = schema.get("required") instanceof List<?> r ? r : List.of();
    List<Arbitrary<Optional<Map.Entry<String, Object>>>> members = new ArrayList<>();
    properties.forEach((name, property) -> {
      Arbitrary<Map.Entry<String, Object>> member = valid(Contract.map(property), pointer + "/" + name)
          .map(value -> Map.entry(name, Optional.ofNullable(value).orElse(NULL)));
      members.add(required.contains(name) ? member.map(Optional::of)
          : Arbitraries.frequencyOf(Tuple.of(2, member.map(Optional::of)), Tuple.of(3, Arbitraries.just(Optional.empty()))));
    });
    return Combinators.combine(members).as(present -> {
      Map<String, Object> object = new LinkedHashMap<>();
      present.forEach(m -> m.ifPresent(e -> object.put(e.getKey(), e.getValue() == NULL ? null : e.getValue())));
      return (Object) Obj.of(object);
    });
  }


  private Arbitrary<Object> oddNumber(Map<String, Object> schema) {
    List<Object> values = new ArrayList<>(List.of(
        Long.MIN_VALUE, Long.MAX_VALUE, (long) Integer.MAX_VALUE + 1, (long) Integer.MIN_VALUE - 1,
        BigInteger.TWO.pow(64), BigInteger.TWO.pow(64).negate(), new BigDecimal("1.5"), new BigDecimal("1.0"),
        new BigDecimal("-0.0"), new Raw("1e400"), new Raw("-1e400"), new Raw("1E2"), new Raw("1e-400"),
        new Raw("9".repeat(1_200)), new Raw("0." + "1".repeat(1_200)), new Raw("01"), new Raw("0x10"),
        new Raw("NaN"), new Raw("Infinity"), new Raw("-"), new Raw("+1"), new Raw(".5"), new Raw("1."), 0L, -1L));
    if (schema.get("minimum") instanceof Number min) {
      values.add(min.longValue() - 1);
      values.add(BigInteger.valueOf(min.longValue()).subtract(BigInteger.TWO.pow(63)));
    }
    if (schema.get("maximum") instanceof Number max) {
      values.add(max.longValue() + 1);
      values.add(BigInteger.valueOf(max.longValue()).add(BigInteger.TWO.pow(63)));
      values.add(new BigDecimal(max.longValue()).add(new BigDecimal("0.5")));
    }
    return Arbitraries.oneOf(Arbitraries.of(values), Arbitraries.longs().map(n -> (Object) n),
        Arbitraries.doubles().map(n -> (Object) n));
  }

  private static Arbitrary<Object> oddString(Map<String, Object> schema) {
    int max = (int) number(schema, "maxLength", 1_000L);
    return Arbitraries.oneOf(
        Arbitraries.just(""),
        Strings.odd().map(s -> (Object) s),
        Strings.longer(max).map(s -> (Object) s),
        Arbitraries.integers().between(1, 4).map(n -> (Object) Strings.UNIT.repeat(25_000 * n)));
  }

  private Arbitrary<Object> oddArray(Map<String, Object> schema, String pointer) {
    Map<String, Object> items = Contract.map(schema.get("items"));
    long max = number(schema, "maxItems", 1_000L);
    List<Arbitrary<Object>> choices = new ArrayList<>(List.of(
        Arbitraries.just(List.of()),
        // One item refused among valid ones.
        Combinators.combine(validArray(schema, pointer), odd(items, pointer + "/*"), Arbitraries.integers().between(0, 8))
            .as((list, bad, at) -> {
              List<Object> copy = new ArrayList<>((List<?>) list);
              copy.add(Math.min(at, copy.size()), bad);
              return (Object) copy;
            }),
        Arbitraries.integers().between(1, 3).map(depth -> nested(depth, List.of("x")))));
    if (max < 10_000) {
      choices.add(valid(items, pointer + "/*").map(item -> {
        List<Object> many = new ArrayList<>();
        for (int i = 0; i <= max; i++) {
          many.add(item);
        }
        return (Object) many;
      }));
    }
    return Arbitraries.oneOf(choices);
  }

  private Arbitrary<Object> oddObject(Map<String, Object> schema, String pointer) {
    Map<String, Object> properties = properties(schema);
    List<?> required = schema.get("required") instanceof List<?> r ? r : List.of();
    Arbitrary<Obj> valid = validObject(schema, pointer).map(Obj.class::cast);
    List<Arbitrary<Object>> choices = new ArrayList<>();
    choices.add(Combinators.combine(valid, Strings.fieldName(), valid(Map.of("type", "string"), pointer + "/?"))
        .as((object, name, value) -> (Object) object.plus(name, value)));
    if (!properties.isEmpty()) {
      Arbitrary<String> names = Arbitraries.of(new ArrayList<>(properties.keySet()));
      // One member set to a value its schema refuses.
      choices.add(names.flatMap(name -> Combinators.combine(valid, odd(Contract.map(properties.get(name)),
          pointer + "/" + name)).as((object, bad) -> (Object) object.with(name, bad))));
      // A member given twice: the second with another valid value.
      choices.add(names.flatMap(name -> Combinators.combine(valid, valid(Contract.map(properties.get(name)),
          pointer + "/" + name)).as((object, again) -> (Object) object.plus(name, again))));
    }
    for (Object name : required) {
      choices.add(valid.map(object -> (Object) object.without(String.valueOf(name))));
    }
    return Arbitraries.oneOf(choices);
  }

  private static Arbitrary<Object> wrongType(List<String> types) {
    List<Object> values = new ArrayList<>();
    if (!types.contains("string")) {
      values.addAll(List.of("1", "true", "", "null"));
    }
    if (!types.contains("integer") && !types.contains("number")) {
      values.addAll(List.of(1L, 0L, -1L, new BigDecimal("2.5")));
    }
    if (!types.contains("boolean")) {
      values.addAll(List.of(true, false));
    }
    if (!types.contains("array")) {
      values.addAll(List.of(List.of(), List.of(1L), List.of("a", "b")));
    }
    if (!types.contains("object")) {
      values.addAll(List.of(new Obj(List.of()), Obj.of(Map.of("a", 1L))));
    }
    if (!types.contains("null")) {
      values.add(new Raw("null"));
    }
    return Arbitraries.of(values);
  }

  private static Object nested(int depth, Object inner) {
    Object value = inner;
    for (int i = 0; i < depth; i++) {
      value = List.of(value);
    }
    return value;
  }

  private static Map<String, Object> properties(Map<String, Object> schema) {
    Map<String, Object> properties = Contract.map(schema.get("properties"));
    return properties == null ? Map.of() : properties;
  }

  static List<String> types(Map<String, Object> schema) {
    Object type = schema.get("type");
    if (type instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    if (type != null) {
      return List.of(String.valueOf(type));
    }
    return schema.containsKey("properties") ? List.of("object") : List.of("string");
  }

  private static long number(Map<String, Object> schema, String keyword, long otherwise) {
    return schema.get(keyword) instanceof Number n ? n.longValue() : otherwise;
  }
}
