package dev.fetchbus.app;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where {@code fetch --mirror DIR} puts each body, laid out as {@code wget -x} does: {@code DIR/host[:port]/path},
 * {@code index.html} for a path that ends in a slash, the query kept after a {@code ?}. Every segment is decoded and
 * then made safe (no separator, no control character, never {@code .} or {@code ..}: a {@code ..} in the URL does not
 * climb), so a file never lands outside DIR. Two URLs that map to one name get {@code .1}, {@code .2}, …; a
 * directory that would have to share its name with a file already placed gets {@code .d}.
 */
final class MirrorLayout {
  private static final int MAX_SEGMENT = 200;

  private final Path root;
  private final Set<Path> files = new HashSet<>();
  private final Set<Path> directories = new HashSet<>();

  MirrorLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The file for {@code url}, distinct from every file placed before; its directories are not created. */
  Path place(String url) {
    URI uri = URI.create(url);
    List<String> segments = new ArrayList<>();
    segments.add(safe(uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() < 0 ? "" : ":" + uri.getPort())));
    String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
    String[] parts = rawPath.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        if (last) {
          segments.add("index.html");
        }
        continue;
      }
      segments.add(safe(decoded(part)));
    }
    if (segments.size() == 1) {
      segments.add("index.html");
    }
    if (uri.getRawQuery() != null) {
      int lastIndex = segments.size() - 1;
      segments.set(lastIndex, safe(segments.get(lastIndex) + "?" + uri.getRawQuery()));
    }
    Path dir = root;
    for (String segment : segments.subList(0, segments.size() - 1)) {
      Path next = dir.resolve(segment);
      while (files.contains(next) || (Files.isRegularFile(next) && !directories.contains(next))) {
        next = dir.resolve(next.getFileName() + ".d");
      }
      directories.add(next);
      dir = next;
    }
    String name = segments.get(segments.size() - 1);
    Path file = dir.resolve(name);
    for (int n = 1; files.contains(file) || directories.contains(file) || Files.exists(file); n++) {
      file = dir.resolve(name + "." + n);
    }
    if (!file.normalize().startsWith(root)) {
      throw new IllegalStateException("mirror path " + file + " is outside " + root);
    }
    files.add(file);
    return file;
  }

  private static String decoded(String part) {
    try {
      return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return part; // a stray '%': kept as written
    }
  }

  /** A file-name segment: no separators, control characters or NUL, never "." or "..", at most 200 characters. */
  static String safe(String segment) {
    StringBuilder out = new StringBuilder(segment.length());
    segment.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f || c == '/' || c == '\\' ? '_' : c));
    String name = out.length() > MAX_SEGMENT ? out.substring(0, MAX_SEGMENT) : out.toString();
    return name.isEmpty() || name.equals(".") || name.equals("..") ? "_" + name : name;
  }
}
