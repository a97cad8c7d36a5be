package dev.fetchbus.verticles.bridge;

import dev.fetchbus.verticles.auth.ApiTokens;
import dev.fetchbus.verticles.auth.PublicBind;
import dev.fetchbus.verticles.bus.Contracts;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge, for clients in any language (4-byte length + JSON frames; see examples/bridge_client.py
 * and docs/eventbus.yaml). Deny by default: clients may only send to the endpoints the contracts mark bridged
 * (submit, cancel and read a job) and only receive jobs' progress events ({@link Contracts}).
 * Off when {@code bridge.port} is 0.
 */
public class BridgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);

  private TcpEventBusBridge bridge;

  @Override
  public Future<?> start() {
    JsonObject conf = config().getJsonObject("bridge");
    int port = conf.getInteger("port");
    if (port == 0) {
      LOG.info("TCP event-bus bridge off (bridge.port is 0; set FETCHBUS_BRIDGE_PORT to turn it on)");
      return Future.succeededFuture();
    }
    BridgeOptions permitted = new BridgeOptions();
    Contracts.bridgedAddresses().forEach(address ->
        permitted.addInboundPermitted(new PermittedOptions().setAddress(address)));
    Contracts.BRIDGED_TOPIC_PATTERNS.forEach(pattern ->
        permitted.addOutboundPermitted(new PermittedOptions().setAddressRegex(pattern)));
    NetServerOptions server = new NetServerOptions()
        .setHost(conf.getString("host"))
        .setPort(port)
        .setIdleTimeout(conf.getInteger("idleTimeoutSeconds"))
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    ApiTokens tokens = ApiTokens.of(config().getJsonObject("auth").getJsonArray("tokens"));
    // The bridge submits jobs too: the same rule as the HTTP server's for a public address without tokens.
    PublicBind.check(conf.getString("host"), tokens);
    bridge = TcpEventBusBridge.create(vertx, permitted, server, new BridgeGuard(tokens));
    return bridge.listen().onSuccess(b -> LOG.info("TCP event-bus bridge listening on {}:{} ({})",
        conf.getString("host"), port, tokens.required() ? "API token required" : "no API token configured"));
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }
}
