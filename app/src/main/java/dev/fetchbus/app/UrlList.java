package dev.fetchbus.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A list of URLs read as {@code wget -i} reads one: a URL a line, blank lines and {@code #} comments skipped. A line
 * that is not an absolute http(s) URL is reported with its number and left out; the others still run.
 */
record UrlList(List<String> urls, List<String> problems) {
  /** {@code maxLength}: the service's {@code jobs.maxUrlLength}, so that no line the service would refuse gets through. */
  static UrlList read(BufferedReader in, int maxLength) throws IOException {
    List<String> urls = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int number = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      number++;
      String text = line.strip();
      if (text.isEmpty() || text.startsWith("#")) {
        continue;
      }
      String problem = text.length() > maxLength ? "longer than " + maxLength + " characters" : problem(text);
      if (problem == null) {
        urls.add(text);
      } else {
        problems.add("line " + number + ": " + problem + ": " + text);
      }
    }
    return new UrlList(urls, problems);
  }

  private static String problem(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return "not a URL (" + e.getReason() + ")";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "not an http or https URL";
    }
    if (uri.getHost() == null) {
      return "no host";
    }
    return uri.getPort() > 65_535 ? "port out of range" : null;
  }
}
