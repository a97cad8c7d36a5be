package dev.fetchbus.verticles.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultBatchTest {
  @Test
  void survivesTheWireWithNullsIntact() {
    ResultBatch batch = new ResultBatch("job", List.of(
        new FetchResult(0, null, Outcome.OK, 200, 1234, "ab", 5, 1, true, "mirror/job/0"),
        new FetchResult(7, null, Outcome.REFUSED_ADDRESS, null, 0, null, 1, 1, false, null)));
    ResultBatch back = ResultBatch.fromJson(new io.vertx.core.json.JsonObject(batch.toJson().encode()));
    assertThat(back).isEqualTo(batch);
  }
}
