package dev.fetchbus.verticles.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The browser dashboard: {@code GET /} and {@code /dashboard/*}, static files from the jar, with the uPlot WebJar
 * under {@code /dashboard/uplot/}. The page calls the public API only, so it needs no route of its own and sits
 * outside the token-protected prefixes (the page asks for the token the API wants).
 */
final class DashboardRoutes {
  private static final String PAGES = "fetchbus/dashboard";
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  /**
   * Scripts, styles and API calls from this origin only; no inline script or style attribute, no plugin, no form
   * posting elsewhere, no framing.
   */
  private static final CharSequence PAGE_POLICY = HttpHeaders.createOptimized("default-src 'none'; script-src 'self';"
      + " style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none';"
      + " frame-ancestors 'none'");
  private static final CharSequence CONTENT_SECURITY_POLICY = HttpHeaders.createOptimized("Content-Security-Policy");
  /** The WebJar's path carries its version, so a new uPlot is a new URL and its files can be kept a year. */
  private static final int LIBRARY_MAX_AGE_SECONDS = 365 * 24 * 3600;
  /** Read once per process, not per HTTP verticle instance. */
  private static final String UPLOT = webJar("uplot") + "/dist";

  void mount(Router router) {
    // Not cached: the page and its script must change together when the service is upgraded. No ranges: the files
    // are a few KiB, and docs/openapi.yaml answers them whole (200), never 206 or 416.
    StaticHandler pages = StaticHandler.create(PAGES).setDirectoryListing(false).setIndexPage("index.html")
        .setCachingEnabled(false).setEnableRangeSupport(false);
    StaticHandler uplot = StaticHandler.create(UPLOT).setDirectoryListing(false)
        .setMaxAgeSeconds(LIBRARY_MAX_AGE_SECONDS).setEnableRangeSupport(false);
    router.get("/").handler(ctx -> serve(ctx, "/", pages));
    router.get("/dashboard/uplot/*").handler(ctx -> serve(ctx, "/dashboard/uplot/", uplot));
    router.get("/dashboard/*").handler(ctx -> serve(ctx, "/dashboard/", pages));
  }

  /**
   * Only a plain file name right under {@code prefix} reaches the static handler; anything else (an encoded slash,
   * dots, a sub-folder) is left to the 404. The static handler's own checks are not relied on: it fails with a 500
   * on some encoded names, such as {@code ..%2F}.
   */
  private static void serve(RoutingContext ctx, String prefix, StaticHandler files) {
    // The path the route matched (normalized), which for a prefix route may also be the prefix without its slash.
    String path = ctx.normalizedPath();
    if (!path.equals("/") && (path.length() <= prefix.length()
        || !FILE_NAME.matcher(path.substring(prefix.length())).matches())) {
      ctx.next();
      return;
    }
    ctx.response().headers().set(CONTENT_SECURITY_POLICY, PAGE_POLICY);
    files.handle(ctx);
  }

  /** The class-path folder of an npm WebJar, at the version the build put on the class path. */
  private static String webJar(String name) {
    String properties = "META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
    try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(properties)) {
      if (in == null) {
        throw new IllegalStateException("the WebJar " + name + " is not on the class path (" + properties + ")");
      }
      Properties pom = new Properties();
      pom.load(in);
      return "META-INF/resources/webjars/" + name + "/" + pom.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
