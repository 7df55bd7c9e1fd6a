package dev.tokenrefresher.systemtests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver. Both paths are given, so Selenium Manager never
 * looks for (or downloads) a driver or a browser; each instance has a fresh profile, deleted on {@link #close()}.
 * Screenshots go to {@code target/screenshots}, where a person can look at what the user saw.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Path profile;
    private final ChromeDriver driver;

    private HeadlessChromium(Path profile, ChromeDriver driver) {
        this.profile = profile;
        this.driver = driver;
    }

    /** Why this machine cannot run the browser, or empty when it can: installing them is .ci/run's job. */
    static Optional<String> missing() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            return Optional.of("no " + CHROMIUM + " or " + CHROMEDRIVER
                    + ": install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; "
                    + ".ci/run does)");
        }
        return Optional.empty();
    }

    static HeadlessChromium start() {
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        try {
            Path profile = Files.createTempDirectory("chromium-profile-");
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
            // no sandbox: CI runs as root; the rest keeps a test browser from reaching out to Google's services
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1100,800", "--user-data-dir=" + profile);
            // the DevTools network events: the addresses a redirect passed through, which the page never shows
            LoggingPreferences logging = new LoggingPreferences();
            logging.enable(LogType.PERFORMANCE, Level.ALL);
            options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER
                    .toFile()).usingAnyFreePort().withLogOutput(java.io.OutputStream.nullOutputStream()).build();
            return new HeadlessChromium(profile, new ChromeDriver(service, options));
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a browser profile", e);
        }
    }

    void open(String url) {
        driver.get(url);
    }

    /** Waits until the element is on the page and clickable. */
    WebElement element(String cssSelector) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(By.cssSelector(
                cssSelector)));
    }

    /** Waits until the browser is at an address starting with {@code prefix} (after any redirects). */
    void awaitUrlStartingWith(String prefix) {
        new WebDriverWait(driver, WAIT).withMessage(() -> "the browser to reach " + prefix + ", it is at "
                + driver.getCurrentUrl()).until(d -> d.getCurrentUrl().startsWith(prefix));
    }

    /**
     * The addresses the browser requested since the last call, in order, redirects included (Chrome's performance log,
     * {@code Network.requestWillBeSent}).
     */
    List<String> requestedUrls() {
        List<String> urls = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = JsonHttp.JSON.readTree(entry.getMessage()).path("message");
            if ("Network.requestWillBeSent".equals(message.path("method").asString())) {
                urls.add(message.path("params").path("request").path("url").asString());
            }
        }
        return urls;
    }

    String currentUrl() {
        return driver.getCurrentUrl();
    }

    String pageSource() {
        return driver.getPageSource();
    }

    String title() {
        return driver.getTitle();
    }

    /** Saves what the browser shows as {@code target/screenshots/<name>.png} and prints where. */
    Path screenshot(String name) {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png").toAbsolutePath();
            Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(shot.toPath());
            System.out.println("screenshot: " + target + " (" + driver.getTitle() + ")");
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("cannot save the screenshot " + name, e);
        }
    }

    @Override
    public void close() {
        // quits Chromium and stops chromedriver: no browser outlives the test
        driver.quit();
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete the browser profile " + profile + ": " + e);
        }
    }
}
