package dev.fetchbus.verticles.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fetchbus.verticles.fetch.api.FetchApi;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docs/eventbus.yaml against the contract packages. Nothing at run time reads the file, so without this test a renamed or
 * new address, or a duplicate key (a YAML parser keeps the last value and the other text is lost without a word),
 * would only be found by a bridge client or a reader trusting it.
 */
class EventBusContractTest {
  private static final Path DOCUMENT = Path.of("../docs/eventbus.yaml");
  /**
   * Channel parameters and the argument given to address-building methods both become this, so that
   * fetchbus.events.job.{jobId} and jobEvents(…) compare equal whatever the parameter is called.
   */
  private static final String PARAMETER = "{}";
  private static final Pattern ADDRESS_PARAMETER = Pattern.compile("\\{([^}]+)}");

  @Test
  void isAsyncApiWithAnAddressOnEveryChannel() throws IOException {
    Map<?, ?> document = load();
    assertThat(document.get("asyncapi")).as("asyncapi version").isInstanceOf(String.class);
    assertThat(new ArrayList<Object>(map(document.get("info")).keySet())).as("info").contains("title", "version");
    assertThat(channels(document)).as("channels").isNotEmpty();

    List<String> problems = new ArrayList<>();
    channels(document).forEach((name, channel) -> {
      // AsyncAPI 3 allows a null address (one not known in advance, as reply addresses are); leaving it out is a
      // different statement, so the key is required.
      if (!(channel instanceof Map<?, ?> fields) || !fields.containsKey("address")) {
        problems.add(name + ": no address");
        return;
      }
      Object address = fields.get("address");
      if (address == null) {
        return;
      }
      if (!(address instanceof String text)) {
        problems.add(name + ": address " + address + " is not a string");
        return;
      }
      Map<?, ?> parameters = fields.get("parameters") instanceof Map<?, ?> declared ? declared : Map.of();
      Matcher parameter = ADDRESS_PARAMETER.matcher(text);
      while (parameter.find()) {
        if (!parameters.containsKey(parameter.group(1))) {
          problems.add(name + ": {" + parameter.group(1) + "} is not among its parameters");
        }
      }
    });
    assertThat(problems).as("channels").isEmpty();
  }

  @Test
  void everyAddressInCodeHasAChannelAndEveryChannelAnAddressInCode() throws IOException, ReflectiveOperationException {
    Map<String, String> inCode = addressesInCode();
    Map<String, String> inDocument = new LinkedHashMap<>();
    // A second channel on an address would otherwise replace the first here and never be reported.
    List<String> sharedAddresses = new ArrayList<>();
    channels(load()).forEach((name, channel) -> {
      Object address = map(channel).get("address");
      // A null address is the reply channel: Vert.x makes that address per request, so no constant names it.
      if (address != null) {
        String source = "channels." + name + " (" + address + ")";
        String earlier = inDocument.put(
            ADDRESS_PARAMETER.matcher(address.toString()).replaceAll(Matcher.quoteReplacement(PARAMETER)), source);
        if (earlier != null) {
          sharedAddresses.add(earlier + " and " + source);
        }
      }
    });

    List<String> withoutChannel = new ArrayList<>();
    inCode.forEach((address, source) -> {
      if (!inDocument.containsKey(address)) {
        withoutChannel.add(source);
      }
    });
    List<String> withoutCode = new ArrayList<>();
    inDocument.forEach((address, source) -> {
      if (!inCode.containsKey(address)) {
        withoutCode.add(source);
      }
    });
    assertThat(withoutChannel.isEmpty() && withoutCode.isEmpty() && sharedAddresses.isEmpty())
        .as("contract addresses without a channel in %s: %s; channels whose address is in no contract: %s;"
            + " channels sharing an address: %s", DOCUMENT, withoutChannel, withoutCode, sharedAddresses)
        .isTrue();
  }

  @Test
  void everyReferenceResolves() throws IOException {
    Map<?, ?> document = load();
    List<String> unresolved = new ArrayList<>();
    collectUnresolved(document, document, "#", unresolved);
    assertThat(unresolved).as("$ref targets missing from " + DOCUMENT).isEmpty();
  }

  /**
   * Address (with each parameter written as {@link #PARAMETER}) to where it is declared: every {@link Endpoint} and
   * {@link Topic} constant of every contract package ({@code dev.fetchbus.verticles.<family>.api}), found in the
   * compiled classes so that a new contract cannot be left out; a static method taking one String and returning a
   * Topic builds a family of addresses, such as {@link FetchApi#progress}. An endpoint open to the bridge must also be
   * in {@link Contracts}, which the bridge's allow-list is read from.
   */
  private static Map<String, String> addressesInCode() throws ReflectiveOperationException, IOException {
    Map<String, String> addresses = new LinkedHashMap<>();
    List<String> notInContracts = new ArrayList<>();
    for (Class<?> contract : contractClasses()) {
      for (Field field : contract.getDeclaredFields()) {
        int modifiers = field.getModifiers();
        if (!Modifier.isStatic(modifiers) || !Modifier.isPublic(modifiers)) {
          continue;
        }
        Object value = field.get(null);
        String address = value instanceof Endpoint<?, ?> endpoint ? endpoint.address()
            : value instanceof Topic<?> topic ? topic.address() : null;
        if (address != null) {
          addresses.put(address, contract.getSimpleName() + "." + field.getName() + " (" + address + ")");
          if (value instanceof Endpoint<?, ?> endpoint && endpoint.bridged() && !Contracts.ENDPOINTS.contains(value)) {
            notInContracts.add(contract.getSimpleName() + "." + field.getName());
          }
        }
      }
      for (Method method : contract.getDeclaredMethods()) {
        int modifiers = method.getModifiers();
        if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && method.getReturnType() == Topic.class
            && method.getParameterCount() == 1 && method.getParameterTypes()[0] == String.class) {
          String address;
          try {
            address = ((Topic<?>) method.invoke(null, PARAMETER)).address();
          } catch (InvocationTargetException e) {
            throw new AssertionError(contract.getSimpleName() + "." + method.getName() + " failed", e.getCause());
          }
          addresses.put(address, contract.getSimpleName() + "." + method.getName() + "(…) (" + address + ")");
        }
      }
    }
    assertThat(addresses).as("addresses found in the contract packages").hasSizeGreaterThan(30);
    assertThat(notInContracts).as("bridged endpoints missing from Contracts").isEmpty();
    return addresses;
  }

  /** The classes of every {@code api} package under the compiled {@code dev.fetchbus.verticles}. */
  private static List<Class<?>> contractClasses() throws IOException, ClassNotFoundException {
    Path root = Path.of("target/classes");
    List<Class<?>> classes = new ArrayList<>();
    try (var files = Files.walk(root.resolve("dev/fetchbus/verticles"))) {
      for (Path file : files.filter(f -> f.getParent().getFileName().toString().equals("api")
          && f.toString().endsWith(".class")).sorted().toList()) {
        String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        classes.add(Class.forName(name));
      }
    }
    assertThat(classes).as("contract classes").isNotEmpty();
    return classes;
  }

  private static void collectUnresolved(Map<?, ?> document, Object node, String path, List<String> unresolved) {
    if (node instanceof Map<?, ?> fields) {
      fields.forEach((key, value) -> {
        if ("$ref".equals(key) && value instanceof String ref && ref.startsWith("#/") && resolve(document, ref) == null) {
          unresolved.add(path + ": " + ref);
        }
        collectUnresolved(document, value, path + "/" + key, unresolved);
      });
    } else if (node instanceof List<?> items) {
      for (int i = 0; i < items.size(); i++) {
        collectUnresolved(document, items.get(i), path + "/" + i, unresolved);
      }
    }
  }

  private static Object resolve(Map<?, ?> document, String ref) {
    Object node = document;
    for (String token : ref.substring(2).split("/", -1)) {
      if (!(node instanceof Map<?, ?> fields)) {
        return null;
      }
      node = fields.get(token.replace("~1", "/").replace("~0", "~"));
    }
    return node;
  }

  private static Map<?, ?> load() throws IOException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    try (Reader reader = Files.newBufferedReader(DOCUMENT)) {
      return map(new Yaml(new SafeConstructor(options)).load(reader));
    }
  }

  private static Map<String, ?> channels(Map<?, ?> document) {
    Map<String, Object> channels = new LinkedHashMap<>();
    map(document.get("channels")).forEach((name, channel) -> channels.put(String.valueOf(name), channel));
    return channels;
  }

  private static Map<?, ?> map(Object node) {
    assertThat(node).isInstanceOf(Map.class);
    return (Map<?, ?>) node;
  }
}
