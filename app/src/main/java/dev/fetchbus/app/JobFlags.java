package dev.fetchbus.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The job options of {@code fetch} and {@code submit}, as the body of {@code POST /api/jobs} takes them. */
final class JobFlags {
  @Option(names = "--concurrency", description = "fetches in flight at once (1-1024, default 64)")
  Integer concurrency;
  @Option(names = "--per-host", description = "fetches in flight per host (1-1024, default 8)")
  Integer perHost;
  @Option(names = "--retries", description = "retries of a failed fetch (0-10, default 2)")
  Integer retries;
  @Option(names = "--timeout-ms", description = "longest time for one attempt at a URL (default 300000)")
  Long timeoutMs;
  @Option(names = "--max-body", paramLabel = "BYTES", description = "largest body read (default 64 MiB)")
  Long maxBody;
  @Option(names = "--per-host-delay-ms", paramLabel = "MS",
      description = "least time between two fetches started to one host (0-60000, default 0)")
  Long perHostDelayMs;
  @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
      description = "request header sent with every fetch (repeatable; not Host, Content-Length or hop-by-hop)")
  List<String> headers = new ArrayList<>();

  /** The job body for {@code urls}; IllegalArgumentException for a header that is not "Name: value". */
  JsonObject job(List<String> urls) {
    JsonObject job = new JsonObject().put("urls", new JsonArray(urls));
    putIfSet(job, "concurrency", concurrency);
    putIfSet(job, "perHost", perHost);
    putIfSet(job, "retries", retries);
    if (timeoutMs != null) {
      job.put("timeouts", new JsonObject().put("totalMs", timeoutMs));
    }
    putIfSet(job, "maxBodyBytes", maxBody);
    putIfSet(job, "perHostDelayMs", perHostDelayMs);
    if (!headers.isEmpty()) {
      JsonObject named = new JsonObject();
      for (String header : headers) {
        int colon = header.indexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("--header '" + header + "': expected 'Name: value'");
        }
        named.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
      }
      job.put("headers", named);
    }
    return job;
  }

  private static void putIfSet(JsonObject job, String field, Object value) {
    if (value != null) {
      job.put(field, value);
    }
  }
}
