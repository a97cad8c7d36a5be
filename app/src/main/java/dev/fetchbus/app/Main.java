package dev.fetchbus.app;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * The jar's entry point. With no command (or {@code serve}) it starts Fetchbus from conf/, the environment and the
 * command line ({@code --cluster}); SIGTERM or SIGINT stops it gracefully with exit code 0. {@code fetch FILE} runs
 * one job in this process and stops ({@link FetchCommand}).
 */
public final class Main {
  private static final String USAGE = String.join("\n",
      "Usage: java -jar fetchbus.jar [COMMAND] [OPTIONS]",
      "  serve [--cluster]   run the service (the default when no command is given)",
      "  fetch FILE|-        fetch the URLs of FILE as one job in this process, then stop (fetch --help)",
      "  submit FILE|-       submit the URLs of FILE as one job to a running server (--server, --token, --wait)",
      "  watch ID            follow a job of a running server to its end",
      "  results ID          print a job's results (--format ndjson|csv, --outcome X)",
      "  cancel ID           cancel a job",
      "  jobs                list jobs, newest first",
      "Settings come from FETCHBUS_* variables or a FETCHBUS_CONFIG file; see README.md.",
      "");
  private static final java.util.Set<String> CLIENT_COMMANDS = java.util.Set.of("submit", "watch", "results",
      "cancel", "jobs");

  private Main() {
  }

  public static void main(String[] args) {
    // Before any logger exists: Vert.x logs through SLF4J, and Logback reads conf/logback.xml from the jar.
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "conf/logback.xml");
    }
    if (args.length > 0 && args[0].equals("fetch")) {
      // Its own output is the progress and the summary, so the service logs only warnings, to stderr.
      System.setProperty("FETCHBUS_LOG_LEVEL", System.getProperty("FETCHBUS_LOG_LEVEL", "WARN"));
      System.setProperty("FETCHBUS_LOG_TARGET", "System.err");
      System.exit(fetch(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
      return;
    }
    if (args.length > 0 && CLIENT_COMMANDS.contains(args[0])) {
      System.exit(client(args, System.getenv(), System.out, System.err));
      return;
    }
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
      System.out.print(USAGE);
      return;
    }
    serve(args.length > 0 && args[0].equals("serve") ? Arrays.copyOfRange(args, 1, args.length) : args);
  }

  /** {@code fetch ARGS}; the exit status. */
  static int fetch(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return execute(new CommandLine(new FetchCommand(env, out, err)), "fetch", args, out, err);
  }

  /** {@code submit|watch|results|cancel|jobs ARGS} against a running server ({@link ClientCommands}). */
  static int client(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return execute(new CommandLine(new ClientCommands(env, out, err)), args[0], args, out, err);
  }

  private static int execute(CommandLine command, String name, String[] args, PrintStream out, PrintStream err) {
    command.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    // 1 for a usage or start-up error (picocli's own default for usage is 2, which here means "some URLs failed").
    command.setParameterExceptionHandler((e, given) -> {
      err.println(e.getMessage());
      e.getCommandLine().usage(err);
      return 1;
    });
    command.setExecutionExceptionHandler((e, line, parsed) -> {
      err.println(name + " failed: " + (e.getMessage() == null ? e : e.getMessage()));
      if (e.getMessage() == null) {
        e.printStackTrace(err); // no reason to show: a defect, to be reported with its trace
      }
      return 1;
    });
    return command.execute(args);
  }

  private static void serve(String[] args) {
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
