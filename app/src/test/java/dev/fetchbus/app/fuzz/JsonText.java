package dev.fetchbus.app.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON as the fuzzer writes it, its own encoder rather than a library's: objects may repeat a name, strings may hold
 * lone surrogates or control characters (escaped as JSON allows), and {@link Raw} text goes in as it is (numbers no
 * Java type holds, broken JSON).
 */
public final class JsonText {
  private JsonText() {
  }

  /** A JSON object: its members in order; a name may repeat. */
  public record Obj(List<Member> members) {
    public Obj {
      members = List.copyOf(members);
    }

    public static Obj of(Map<String, Object> members) {
      List<Member> list = new ArrayList<>();
      members.forEach((name, value) -> list.add(new Member(name, value)));
      return new Obj(list);
    }

    /** With the member set to the value (replacing every member of that name, else appended). */
    public Obj with(String name, Object value) {
      List<Member> list = new ArrayList<>();
      boolean replaced = false;
      for (Member member : members) {
        if (!member.name().equals(name)) {
          list.add(member);
        } else if (!replaced) {
          list.add(new Member(name, value));
          replaced = true;
        }
      }
      if (!replaced) {
        list.add(new Member(name, value));
      }
      return new Obj(list);
    }

    public Obj without(String name) {
      return new Obj(members.stream().filter(m -> !m.name().equals(name)).toList());
    }

    /** With one more member of that name at the end, even if the name is there already. */
    public Obj plus(String name, Object value) {
      List<Member> list = new ArrayList<>(members);
      list.add(new Member(name, value));
      return new Obj(list);
    }

    @Override
    public String toString() {
      return encode(this, false);
    }
  }

  public record Member(String name, Object value) {
  }

  /** Text that goes into the document as it is. */
  public record Raw(String text) {
    @Override
    public String toString() {
      return text.length() > 200 ? text.substring(0, 200) + "…(" + text.length() + " chars)" : text;
    }
  }

  /** {@code asciiOnly}: every non-ASCII character escaped as {@code \\uXXXX}; otherwise only what JSON requires. */
  public static String encode(Object value, boolean asciiOnly) {
    StringBuilder out = new StringBuilder();
    write(out, value, asciiOnly);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value, boolean asciiOnly) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Raw raw) {
      out.append(raw.text());
    } else if (value instanceof String text) {
      string(out, text, asciiOnly);
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Obj object) {
      out.append('{');
      for (int i = 0; i < object.members().size(); i++) {
        Member member = object.members().get(i);
        out.append(i == 0 ? "" : ",");
        string(out, member.name(), asciiOnly);
        out.append(':');
        write(out, member.value(), asciiOnly);
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        out.append(i == 0 ? "" : ",");
        write(out, list.get(i), asciiOnly);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass());
    }
  }

  private static void string(StringBuilder out, String text, boolean asciiOnly) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || asciiOnly && c > 0x7e || Character.isSurrogate(c)) {
        // Surrogates are escaped always: a lone one has no UTF-8 form, and a pair escaped is still the same text.
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
