package dev.fetchbus.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The clustered event bus from the {@code cluster} config: a Hazelcast member that finds the others through an
 * explicit TCP/IP member list, and an event bus that tells the others an address they can reach. The Hazelcast
 * config is built here, in code, so no cluster.xml on the classpath or in the working directory can change it.
 */
final class ClusterSetup {
  private ClusterSetup() {
  }

  static HazelcastClusterManager clusterManager(JsonObject cluster) {
    // Hazelcast logs its first lines before it reads the config: the system property routes those to SLF4J too.
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    return new HazelcastClusterManager(hazelcastConfig(cluster));
  }

  static Config hazelcastConfig(JsonObject cluster) {
    String host = cluster.getString("host");
    Config config = new Config();
    config.setClusterName(cluster.getString("name"));
    // Logs through SLF4J (conf/logback.xml keeps it at WARN); no phoning home; no shutdown hook of its own, since
    // FetchbusApp.stop() leaves the cluster after the verticles have stopped.
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // The member's own address is the configured host, not whichever interface Hazelcast would pick first, and it
    // listens on that address only.
    config.setProperty("hazelcast.local.localAddress", host);
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", cluster.getInteger("joinWaitSeconds").toString());
    config.setProperty("hazelcast.heartbeat.interval.seconds", cluster.getInteger("heartbeatSeconds").toString());
    config.setProperty("hazelcast.max.no.heartbeat.seconds", cluster.getInteger("maxNoHeartbeatSeconds").toString());

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.getInteger("port")).setPortAutoIncrement(false);
    String publicHost = cluster.getString("publicHost");
    if (publicHost != null) {
      network.setPublicAddress(publicHost + ":" + cluster.getInteger("port"));
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true)
        .setConnectionTimeoutSeconds(cluster.getInteger("connectTimeoutSeconds"));
    // A member list naming only this node is fine: it is then the first member, and the others join it.
    cluster.getJsonArray("members").forEach(member -> join.getTcpIpConfig().addMember((String) member));
    join.getTcpIpConfig().addMember(host + ":" + cluster.getInteger("port"));

    // What vertx-hazelcast's default-cluster.xml declares: the event-bus subscriptions as a multimap of sets.
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    return config;
  }

  /**
   * The event bus listens on the cluster host and announces it (or {@code publicHost}) to the other nodes: left
   * to itself it may announce an address they cannot reach, and nodes join but their messages go nowhere.
   */
  static EventBusOptions eventBusOptions(JsonObject cluster) {
    String publicHost = cluster.getString("publicHost");
    return new EventBusOptions()
        .setHost(cluster.getString("host"))
        .setPort(cluster.getInteger("busPort"))
        .setClusterPublicHost(publicHost != null ? publicHost : cluster.getString("host"));
  }
}
