package dev.fetchbus.app.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docs/openapi.yaml as the fuzzer reads it (the copy the verticles jar carries): every operation with its parameters,
 * its JSON body schema and the statuses and media types it declares, every {@code $ref} resolved.
 */
public final class Contract {
  private static final String RESOURCE = "openapi/openapi.yaml";
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /** A parameter and its schema; {@code in} is path, query, header or cookie. */
  public record Parameter(String name, String in, boolean required, Map<String, Object> schema) {
  }

  /**
   * An operation. {@code jsonBody} is the schema of an application/json request body (null if there is none),
   * {@code anyBody} says the body is a stream of any type; {@code responses} maps each declared status to its media
   * types and their schemas.
   */
  public record Operation(String id, String method, String path, List<Parameter> parameters,
                          Map<String, Object> jsonBody, boolean anyBody, boolean secured,
                          Map<Integer, Map<String, Map<String, Object>>> responses) {
    public Set<Integer> statuses() {
      return new TreeSet<>(responses.keySet());
    }

    public List<Parameter> parameters(String in) {
      return parameters.stream().filter(p -> p.in().equals(in)).toList();
    }

    /**
     * Whether a request path (no query) is one this operation's template matches, each {param} one segment, which
     * may be empty (as Vert.x's router has it).
     */
    public boolean matches(String requestPath) {
      String[] want = path.split("/", -1);
      String[] got = requestPath.split("/", -1);
      if (want.length != got.length) {
        return false;
      }
      for (int i = 0; i < want.length; i++) {
        if (!want[i].startsWith("{") && !want[i].equals(got[i])) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return id;
    }
  }

  private final Map<String, Object> root;
  private final List<Operation> operations;

  private Contract(Map<String, Object> root) {
    this.root = root;
    this.operations = readOperations();
  }

  /** Reads the contract from the class path. */
  public static Contract load() {
    try (InputStream in = Contract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      return new Contract(map(new Yaml(new SafeConstructor(new LoaderOptions())).load(in)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The contract's bytes, as the server must hand them out at GET /openapi.yaml. */
  public static byte[] bytes() {
    try (InputStream in = Contract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Operation> operations() {
    return operations;
  }

  public Operation operation(String id) {
    return operations.stream().filter(o -> o.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no operation " + id));
  }

  /** The operations a method and request path may reach, literal matches first. */
  public List<Operation> operations(String method, String rawPath) {
    String verb = method.toLowerCase(Locale.ROOT);
    List<String> paths = new ArrayList<>();
    // As the router may see it: dot segments resolved, with and without repeated slashes collapsed, with and
    // without a trailing slash.
    for (String path : List.of(withoutDotSegments(rawPath), withoutDotSegments(rawPath).replaceAll("/{2,}", "/"))) {
      paths.add(path);
      if (path.length() > 1 && path.endsWith("/")) {
        paths.add(path.substring(0, path.length() - 1));
      }
    }
    return operations.stream().filter(o -> o.method().equals(verb) && paths.stream().anyMatch(o::matches))
        .sorted(Comparator.comparingLong(o -> o.path().chars().filter(c -> c == '{').count()))
        .toList();
  }

  /** The path with its dot segments resolved (RFC 3986, section 5.2.4), as the router does before matching. */
  static String withoutDotSegments(String path) {
    String[] segments = path.split("/", -1);
    java.util.Deque<String> kept = new java.util.ArrayDeque<>();
    boolean trailingSlash = false;
    for (int i = 1; i < segments.length; i++) {
      String segment = segments[i].replaceAll("(?i)%2e", ".");
      trailingSlash = i == segments.length - 1 && (segment.equals(".") || segment.equals(".."));
      if (segment.equals("..")) {
        kept.pollLast();
      } else if (!segment.equals(".")) {
        kept.addLast(segments[i]);
      }
    }
    return "/" + String.join("/", kept) + (trailingSlash && !kept.isEmpty() ? "/" : "");
  }

  /** A schema of components/schemas, resolved. */
  public Map<String, Object> schema(String name) {
    return map(resolve(map(map(root.get("components")).get("schemas")).get(name)));
  }

  private List<Operation> readOperations() {
    List<Operation> found = new ArrayList<>();
    map(root.get("paths")).forEach((path, itemNode) -> {
      Map<String, Object> item = map(itemNode);
      List<Parameter> shared = parameters(item.get("parameters"));
      item.forEach((method, opNode) -> {
        if (!METHODS.contains(method)) {
          return;
        }
        Map<String, Object> op = map(opNode);
        List<Parameter> parameters = new ArrayList<>(shared);
        parameters.addAll(parameters(op.get("parameters")));
        Map<String, Object> jsonBody = null;
        boolean anyBody = false;
        if (op.containsKey("requestBody")) {
          Map<String, Object> content = map(map(resolve(op.get("requestBody"))).get("content"));
          jsonBody = content.containsKey("application/json")
              ? map(map(content.get("application/json")).get("schema")) : null;
          anyBody = jsonBody == null;
        }
        Map<Integer, Map<String, Map<String, Object>>> responses = new LinkedHashMap<>();
        map(op.get("responses")).forEach((status, response) -> {
          Map<String, Map<String, Object>> types = new LinkedHashMap<>();
          Object content = map(resolve(response)).get("content");
          if (content != null) {
            map(content).forEach((type, media) -> types.put(type, map(map(media).get("schema"))));
          }
          responses.put(Integer.parseInt(status), types);
        });
        found.add(new Operation(String.valueOf(op.get("operationId")), method, path, List.copyOf(parameters),
            jsonBody, anyBody, op.containsKey("security"), responses));
      });
    });
    return List.copyOf(found);
  }

  private List<Parameter> parameters(Object node) {
    if (node == null) {
      return List.of();
    }
    return ((List<?>) node).stream().map(p -> map(resolve(p)))
        .map(p -> new Parameter(String.valueOf(p.get("name")), String.valueOf(p.get("in")),
            Boolean.TRUE.equals(p.get("required")), map(p.get("schema"))))
        .collect(Collectors.toList());
  }

  /** A copy of the node with every {@code $ref} replaced by its target; sibling keys of a $ref are kept. */
  private Object resolve(Object node) {
    if (node instanceof Map<?, ?> object) {
      Map<String, Object> resolved = new LinkedHashMap<>();
      Object ref = object.get("$ref");
      if (ref != null) {
        resolved.putAll(map(resolve(pointer(String.valueOf(ref)))));
      }
      object.forEach((key, value) -> {
        if (!"$ref".equals(key)) {
          resolved.put(String.valueOf(key), resolve(value));
        }
      });
      return resolved;
    }
    if (node instanceof List<?> list) {
      return list.stream().map(this::resolve).collect(Collectors.toList());
    }
    return node;
  }

  private Object pointer(String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalArgumentException("only local references are used: " + ref);
    }
    Object node = root;
    for (String step : ref.substring(2).split("/")) {
      node = map(node).get(step.replace("~1", "/").replace("~0", "~"));
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node) {
    return node == null ? null : (Map<String, Object>) node;
  }
}
