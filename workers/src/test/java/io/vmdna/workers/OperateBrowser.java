package io.vmdna.workers;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium, driven by Selenium through Debian's chromedriver (no browser or
 * driver is downloaded: Selenium Manager is bypassed by naming both), looking at Camunda Operate as
 * an ops engineer would: log in, open the process's instance list, open an instance.
 *
 * <p>Chromium runs with the flags this machine kind needs (no sandbox as root, no background
 * networking: the network is closed) and a fresh profile. Not thread-safe; close it.
 */
final class OperateBrowser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path FAILURES = Path.of("target/operate");

  private final WebDriver driver;
  private final String operate;
  private final Duration wait;

  /**
   * Starts the browser.
   *
   * @param operate Operate's address, e.g. {@code http://localhost:8080/operate}
   */
  OperateBrowser(String operate, Path profile, Duration wait) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1600,1000",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    this.driver = new ChromeDriver(service, options);
    this.operate = operate;
    this.wait = wait;
  }

  /** Whether Debian's chromium and chromedriver are installed. */
  static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  /** Logs in through Operate's login form and waits for the dashboard. */
  void login(String user, String password) {
    driver.get(operate + "/login");
    until(d -> !d.findElements(By.id("username")).isEmpty());
    driver.findElement(By.id("username")).sendKeys(user);
    driver.findElement(By.id("password")).sendKeys(password);
    driver.findElement(By.cssSelector("button[type=submit]")).click();
    until(d -> !d.getCurrentUrl().contains("/login"));
  }

  /**
   * Opens the instance list of a process (all versions, running and finished) and returns its text
   * once every one of {@code expected} appears in it.
   */
  String instanceList(String bpmnProcessId, List<String> expected) {
    driver.get(
        operate
            + "/processes?process="
            + bpmnProcessId
            + "&version=all&active=true&incidents=true&completed=true&canceled=true");
    return textWith(expected);
  }

  /** Opens one instance and returns its page's text once every one of {@code expected} is in it. */
  String instance(long key, List<String> expected) {
    driver.get(operate + "/processes/" + key);
    return textWith(expected);
  }

  /** Saves what the browser shows as a PNG, once the page's web fonts have loaded. */
  void screenshot(Path file) throws IOException {
    new WebDriverWait(driver, wait, Duration.ofMillis(200))
        .until(
            d ->
                "loaded"
                    .equals(
                        ((org.openqa.selenium.JavascriptExecutor) d)
                            .executeScript("return document.fonts.status")));
    Files.createDirectories(file.getParent());
    Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  private String textWith(List<String> expected) {
    until(
        d -> {
          String text = d.findElement(By.tagName("body")).getText();
          return expected.stream().allMatch(text::contains);
        });
    return driver.findElement(By.tagName("body")).getText();
  }

  /**
   * Waits for a condition; when it does not hold in time, the page's text and a screenshot go to
   * {@code target/operate/timeout-*} and the error names the page.
   */
  private void until(java.util.function.Function<WebDriver, Boolean> condition) {
    try {
      new WebDriverWait(driver, wait, Duration.ofMillis(500)).until(condition::apply);
    } catch (TimeoutException e) {
      String name = "timeout-" + System.currentTimeMillis();
      try {
        Files.createDirectories(FAILURES);
        Files.writeString(
            FAILURES.resolve(name + ".txt"), driver.findElement(By.tagName("body")).getText());
        screenshot(FAILURES.resolve(name + ".png"));
      } catch (IOException | RuntimeException keep) {
        e.addSuppressed(keep);
      }
      throw new TimeoutException(
          "page "
              + driver.getCurrentUrl()
              + " (text and screenshot: "
              + FAILURES
              + "/"
              + name
              + ")",
          e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
