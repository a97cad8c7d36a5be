package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /ws/jobs/{id}}: a real job's progress over a real WebSocket, from the whole app. */
class WebSocketProgressTest {
  @RegisterExtension
  static final RunningApp running = RunningApp.started();
  private static WebSocketClient client;

  @BeforeAll
  static void createClient() {
    client = running.vertx.createWebSocketClient();
  }

  @AfterAll
  static void closeClient() {
    await(client.close());
  }

  /** What one socket received: its text frames in order, then its close code. */
  private record Feed(List<JsonObject> events, short closeCode) {
  }

  private static Future<Feed> follow(String id) {
    return client.connect(running.app.port, "127.0.0.1", "/ws/jobs/" + id).compose(ws -> {
      List<JsonObject> events = new ArrayList<>();
      Promise<Feed> feed = Promise.promise();
      ws.textMessageHandler(text -> events.add(new JsonObject(text)));
      ws.closeHandler(v -> feed.complete(new Feed(events, ws.closeStatusCode())));
      return feed.future();
    });
  }

  @Test
  void progressArrivesAsTextFramesUntilTheFinalOneThenTheSocketClosesWith1000() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      urls.add(running.origin.url("/slow/" + i + "?ms=150"));
    }
    String id = running.api.submit(new JsonObject().put("urls", urls).put("concurrency", 2));
    Feed feed = await(follow(id), Duration.ofSeconds(60));

    assertThat(feed.closeCode()).isEqualTo((short) 1000);
    assertThat(feed.events().size()).isGreaterThanOrEqualTo(3);
    JsonObject last = feed.events().get(feed.events().size() - 1);
    assertThat(last.getBoolean("final")).isTrue();
    assertThat(last.getString("status")).isEqualTo("done");
    assertThat(last.getInteger("completed")).isEqualTo(12);
    assertThat(last.getInteger("succeeded")).isEqualTo(12);
    assertThat(feed.events().subList(0, feed.events().size() - 1))
        .allSatisfy(e -> {
          assertThat(e.getBoolean("final")).isFalse();
          assertThat(e.getString("id")).isEqualTo(id);
        });
  }

  @Test
  void anEndedJobSendsItsFinalStateAndCloses() {
    String id = running.api.submit(List.of(running.origin.url("/obj/1")), 1);
    running.api.awaitEnd(id, Duration.ofSeconds(30));
    Feed feed = await(follow(id), Duration.ofSeconds(30));
    assertThat(feed.closeCode()).isEqualTo((short) 1000);
    assertThat(feed.events()).hasSize(1);
    assertThat(feed.events().get(0).getBoolean("final")).isTrue();
    assertThat(feed.events().get(0).getInteger("completed")).isEqualTo(1);
  }

  @Test
  void anUnknownJobIsA404ProblemBeforeAnyUpgrade() {
    for (String id : List.of("6f1d8c52-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "not-a-job")) {
      assertThatThrownBy(() -> await(client.connect(running.app.port, "127.0.0.1", "/ws/jobs/" + id)))
          .cause()
          .isInstanceOfSatisfying(UpgradeRejectedException.class, rejected -> {
            assertThat(rejected.getStatus()).isEqualTo(404);
            assertThat(rejected.getHeaders().get("content-type")).isEqualTo("application/problem+json");
            assertThat(rejected.getBody().toJsonObject().getString("type")).isEqualTo("urn:fetchbus:problem:not-found");
          });
    }
  }
}
