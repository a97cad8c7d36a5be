package dev.fetchbus.app;

import static dev.fetchbus.verticles.testing.StrictVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium, against the whole service with API tokens on: the page says 401 until
 * it is given the token; a 2,000-URL job submitted through its form shows its progress bar move and reach 100 %,
 * with the outcome counts the API reports; a second job is cancelled from the page. The origin holds its
 * {@code /held} URLs until the test has seen the bar part-way, so "moving" is observed, not timed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  private static final String TOKEN = "dashboard-test-token";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String INSTALL = "apt-get install -y chromium chromium-driver";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int OK_URLS = 1_000;
  private static final int MISSING_URLS = 100;
  private static final int HELD_URLS = 900;

  @RegisterExtension
  static final RunningApp running = RunningApp.started(Map.of("FETCHBUS_API_TOKENS", TOKEN));

  private static WebDriver browser;
  private static WebDriverWait wait;

  @BeforeAll
  static void startBrowser() {
    assertThat(Files.isExecutable(CHROMIUM)).as("%s is missing: %s", CHROMIUM, INSTALL).isTrue();
    assertThat(Files.isExecutable(CHROMEDRIVER)).as("%s is missing: %s", CHROMEDRIVER, INSTALL).isTrue();
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1400,1800");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    // The page redraws its job table every two seconds: an element read during a redraw is stale, and read again.
    wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterAll
  static void stopBrowser() {
    running.origin.release();
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  @Order(1)
  void withoutTheTokenThePageSays401AndWithItShowsTheJobs() {
    browser.get(running.app.url("/"));
    WebElement message = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("auth-message")));
    assertThat(message.getText()).contains("401");
    assertThat(browser.findElement(By.id("main")).isDisplayed()).isFalse();

    browser.findElement(By.id("token")).sendKeys("not-the-token");
    browser.findElement(By.id("token-apply")).click();
    wait.until(ExpectedConditions.textToBe(By.id("auth-message"), "403 Forbidden: that token is not valid here."));

    useToken();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("jobs")));
    assertThat(browser.findElement(By.id("auth")).isDisplayed()).isFalse();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("service-panel"), "Event loops"));
    assertNoScriptErrors();
  }

  @Test
  @Order(2)
  void aJobSubmittedThroughTheFormShowsItsProgressAndOutcomes() throws Exception {
    List<String> urls = new ArrayList<>();
    IntStream.range(0, OK_URLS).forEach(n -> urls.add(running.origin.url("/obj/" + n)));
    IntStream.range(0, MISSING_URLS).forEach(n -> urls.add(running.origin.url("/missing/" + n)));
    IntStream.range(0, HELD_URLS).forEach(n -> urls.add(running.origin.url("/held/" + n)));
    Path file = running.dataDir.resolve("urls.txt");
    Files.writeString(file, "# from the browser test\n" + String.join("\n", urls) + "\n");

    browser.findElement(By.id("url-file")).sendKeys(file.toAbsolutePath().toString());
    browser.findElement(By.id("opt-per-host")).sendKeys("32");
    browser.findElement(By.id("submit-button")).click();
    String id = wait.until(d -> d.findElement(By.id("submit-message")).getDomAttribute("data-job"));

    // The held URLs wait at the origin, so the bar stops part-way until they are released.
    int partWay = wait.until(d -> {
      int percent = percent(d);
      return percent >= 50 && percent < 100 ? percent : null;
    });
    assertThat(browser.findElement(By.id("detail-status")).getText()).isEqualTo("running");
    running.origin.release();
    wait.until(d -> percent(d) == 100 && "done".equals(d.findElement(By.id("detail")).getDomAttribute("data-status")));
    assertThat(partWay).isLessThan(100);

    WebElement bar = browser.findElement(By.id("detail-bar"));
    assertThat(bar.getDomProperty("value")).isEqualTo(bar.getDomProperty("max")).isEqualTo("2000");
    JsonObject job = authorized("/api/jobs/" + id).bodyAsJsonObject();
    assertThat(job.getInteger("completed")).isEqualTo(2_000);
    wait.until(d -> outcomeCount(d, "http_error") == job.getLong("failed"));
    assertThat(outcomeCount(browser, "ok")).isEqualTo(job.getLong("succeeded")).isEqualTo(OK_URLS + HELD_URLS);
    assertThat(outcomeCount(browser, "http_error")).isEqualTo(MISSING_URLS);
    assertThat(browser.findElement(By.cssSelector("#failing tbody")).getText())
        .contains("http://127.0.0.1:" + running.origin.port());
    assertThat(browser.findElements(By.cssSelector("#chart-throughput canvas"))).isNotEmpty();
    assertThat(browser.findElements(By.cssSelector("#chart-outcomes canvas"))).isNotEmpty();
    wait.until(d -> "done".equals(
        d.findElement(By.cssSelector("#jobs tr[data-id='" + id + "']")).getDomAttribute("data-status")));
    assertNoScriptErrors();
  }

  @Test
  @Order(3)
  void aJobIsCancelledFromThePage() {
    String slowUrls = IntStream.range(10_000, 10_020).mapToObj(n -> running.origin.url("/slow/" + n + "?ms=60000"))
        .reduce((a, b) -> a + "\n" + b).orElseThrow();
    String previous = browser.findElement(By.id("submit-message")).getDomAttribute("data-job");
    WebElement urls = browser.findElement(By.id("urls"));
    urls.clear();
    urls.sendKeys(slowUrls);
    browser.findElement(By.id("submit-button")).click();
    String id = wait.until(d -> {
      String job = d.findElement(By.id("submit-message")).getDomAttribute("data-job");
      return job != null && !job.equals(previous) && job.equals(d.findElement(By.id("detail")).getDomAttribute("data-id"))
          ? job : null;
    });
    wait.until(d -> "running".equals(d.findElement(By.id("detail")).getDomAttribute("data-status")));
    wait.until(ExpectedConditions.elementToBeClickable(By.id("detail-cancel"))).click();

    wait.until(d -> "cancelled".equals(d.findElement(By.id("detail")).getDomAttribute("data-status")));
    assertThat(authorized("/api/jobs/" + id).bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    wait.until(d -> "cancelled".equals(
        d.findElement(By.cssSelector("#jobs tr[data-id='" + id + "']")).getDomAttribute("data-status")));
    assertNoScriptErrors();
  }

  private static void useToken() {
    WebElement token = browser.findElement(By.id("token"));
    token.clear();
    token.sendKeys(TOKEN);
    browser.findElement(By.id("token-apply")).click();
  }

  private static int percent(WebDriver driver) {
    String percent = driver.findElement(By.id("detail")).getDomAttribute("data-percent");
    return percent == null ? -1 : Integer.parseInt(percent);
  }

  private static long outcomeCount(WebDriver driver, String outcome) {
    List<WebElement> cells = driver.findElements(By.cssSelector("#outcomes tr[data-outcome='" + outcome + "'] td"));
    return cells.size() < 2 ? -1 : Long.parseLong(cells.get(1).getText().replace(",", ""));
  }

  private static HttpResponse<Buffer> authorized(String path) {
    return await(running.api.client().getAbs(running.app.url(path)).putHeader("Authorization", "Bearer " + TOKEN).send());
  }

  /** Refused resources (the 401 and 403 the page is shown) are expected; a script error or a CSP violation is not. */
  private static void assertNoScriptErrors() {
    List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(message -> !message.contains("Failed to load resource"))
        .toList();
    assertThat(errors).as("errors in the browser console").isEmpty();
  }
}
