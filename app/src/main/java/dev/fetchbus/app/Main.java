package dev.fetchbus.app;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Starts Fetchbus from conf/, the environment and the command line ({@code --cluster}); SIGTERM or SIGINT stops it gracefully with exit code 0. */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    // Before any logger exists: Vert.x logs through SLF4J, and Logback reads conf/logback.xml from the jar.
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "conf/logback.xml");
    }
    JsonObject config;
    try {
      config = ConfigLoader.load(System.getenv());
      applyOptions(config, args);
    } catch (RuntimeException e) {
      System.err.println("Fetchbus did not start: bad configuration: " + e.getMessage());
      System.exit(1);
      return;
    }
    // conf/logback.xml picks its appender by this name; the config file may set it as well as the environment.
    System.setProperty("FETCHBUS_LOG_FORMAT", config.getJsonObject("log").getString("format"));
    Logger log = LoggerFactory.getLogger(Main.class);
    FetchbusApp app;
    try {
      app = FetchbusApp.start(config, DeploymentPlan.fromJson(ConfigLoader.resource("conf/plan.json")));
    } catch (Exception e) {
      log.error("Fetchbus did not start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    Runnable shutdown = new Runnable() {
      private boolean started;

      @Override
      public synchronized void run() {
        if (started) {
          return;
        }
        started = true;
        log.info("stopping");
        int code = 0;
        try {
          app.stop();
        } catch (Exception e) {
          log.error("stopping failed", e);
          code = 1;
        }
        System.exit(code);
      }
    };
    Signal.handle(new Signal("TERM"), signal -> new Thread(shutdown, "fetchbus-shutdown").start());
    Signal.handle(new Signal("INT"), signal -> new Thread(shutdown, "fetchbus-shutdown").start());
  }

  /** Command-line options, applied over the configuration: {@code --cluster} joins the cluster. */
  static void applyOptions(JsonObject config, String[] args) {
    for (String arg : args) {
      if (arg.equals("--cluster")) {
        config.getJsonObject("cluster").put("enabled", true);
      } else {
        throw new IllegalArgumentException("unknown option '" + arg + "' (the one option is --cluster; everything else is "
            + "set with FETCHBUS_* variables or a FETCHBUS_CONFIG file)");
      }
    }
  }
}
