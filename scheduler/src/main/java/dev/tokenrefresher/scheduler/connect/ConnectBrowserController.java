package dev.tokenrefresher.scheduler.connect;

import io.swagger.v3.oas.annotations.Hidden;
import java.nio.charset.StandardCharsets;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The two addresses a user's browser visits, without an API key: the connect link and the provider's callback.
 * Answers are redirects or short pages, never cached and sent with no referrer, so neither the link's secret nor a
 * code travels further.
 */
@Hidden
@RestController
class ConnectBrowserController {

    private final ConnectFlow flow;
    private final ConnectCallback callback;

    ConnectBrowserController(ConnectFlow flow, ConnectCallback callback) {
        this.flow = flow;
        this.callback = callback;
    }

    @GetMapping(ConnectProperties.CALLBACK_PATH)
    ResponseEntity<byte[]> callback(@RequestParam(required = false) String state,
            @RequestParam(required = false) String code, @RequestParam(required = false) String error,
            @RequestParam(required = false) String realmId) {
        return answer(callback.handle(new ConnectCallback.Callback(state, code, error, realmId)));
    }

    @GetMapping("/connect/{link}")
    ResponseEntity<byte[]> open(@PathVariable String link) {
        return answer(flow.open(link));
    }

    private static ResponseEntity<byte[]> answer(BrowserAnswer answer) {
        ResponseEntity.BodyBuilder response = switch (answer) {
            case BrowserAnswer.Redirect redirect -> ResponseEntity.status(HttpStatus.FOUND).location(redirect
                    .location());
            case BrowserAnswer.Page page -> ResponseEntity.status(page.status()).contentType(new MediaType("text",
                    "html", StandardCharsets.UTF_8));
        };
        response.cacheControl(CacheControl.noStore()).header("Referrer-Policy", "no-referrer")
                .header(HttpHeaders.PRAGMA, "no-cache");
        if (answer instanceof BrowserAnswer.Page page) {
            return response.body(html(page).getBytes(StandardCharsets.UTF_8));
        }
        return response.build();
    }

    private static String html(BrowserAnswer.Page page) {
        String title = HtmlUtils.htmlEscape(page.title());
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head><meta charset="utf-8"><title>%s</title>
                <meta name="viewport" content="width=device-width, initial-scale=1"></head>
                <body style="font-family: sans-serif; max-width: 36em; margin: 3em auto">
                <h1 id="title">%s</h1>
                <p id="message">%s</p>
                </body>
                </html>
                """.formatted(title, title, HtmlUtils.htmlEscape(page.message()));
    }
}
