package dev.tokenrefresher.sandbox.authorize;

import dev.tokenrefresher.sandbox.faults.KnownRealms;
import dev.tokenrefresher.sandbox.settings.SandboxProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Intuit's authorization endpoint ({@code https://appcenter.intuit.com/connect/oauth2}) as the sandbox plays it: a
 * consent page where a person (or a browser test) approves or denies, then a redirect back to the client with a code,
 * the state and the new connection's {@code realmId}, or with an error.
 */
@RestController
class AuthorizeController {

    static final String PATH = "/connect/oauth2";
    static final String DECISION_PATH = PATH + "/decision";
    static final int MAX_COMPANY_LENGTH = 100;
    static final String DEFAULT_COMPANY = "Sandbox Company";
    /** Intuit's production realm ids are 16-digit numbers that start like this. */
    private static final String REALM_ID_PREFIX = "9130";
    private static final long REALM_ID_SUFFIX_BOUND = 1_000_000_000_000L;
    private static final MediaType HTML_UTF8 = MediaType.parseMediaType("text/html;charset=UTF-8");

    private static final Logger log = LoggerFactory.getLogger(AuthorizeController.class);

    private final AuthorizeRequestCheck check;
    private final AuthorizationCodes codes;
    private final KnownRealms realms;
    private final SecureRandom random = new SecureRandom();

    AuthorizeController(SandboxProperties sandbox, AuthorizeProperties properties, AuthorizationCodes codes,
            KnownRealms realms) {
        this.check = new AuthorizeRequestCheck(sandbox.clientId(), properties);
        this.codes = codes;
        this.realms = realms;
    }

    @GetMapping(PATH)
    ResponseEntity<String> authorize(HttpServletRequest request) {
        return switch (check.check(request.getParameterMap())) {
            case AuthorizeRequestCheck.Valid valid -> {
                String requestId = codes.hold(valid.request());
                yield page(HttpStatus.OK, Pages.consent(valid.request(), requestId, DEFAULT_COMPANY));
            }
            case AuthorizeRequestCheck.ErrorPage error -> {
                log.info("Authorization request refused without a redirect: {}", error.heading());
                yield page(HttpStatus.BAD_REQUEST, Pages.error(error.heading(), error.message()));
            }
            case AuthorizeRequestCheck.ErrorRedirect error -> {
                log.info("Authorization request refused with {}", error.error());
                yield redirect(error.location());
            }
        };
    }

    @PostMapping(DECISION_PATH)
    ResponseEntity<String> decide(@RequestParam(name = "request", required = false) String requestId,
            @RequestParam(name = "decision", required = false) String decision,
            @RequestParam(name = "company", required = false) String company) {
        if (!"approve".equals(decision) && !"deny".equals(decision)) {
            return page(HttpStatus.BAD_REQUEST, Pages.error("Invalid request", "decision must be approve or deny."));
        }
        if (company != null && company.length() > MAX_COMPANY_LENGTH) {
            return page(HttpStatus.BAD_REQUEST, Pages.error("Invalid request",
                    "The company name must be at most " + MAX_COMPANY_LENGTH + " characters."));
        }
        Optional<AuthorizationRequest> held = codes.take(requestId);
        if (held.isEmpty()) {
            return page(HttpStatus.BAD_REQUEST, Pages.error("Request expired", "This authorization request is"
                    + " unknown, already decided or expired. Start again from the application."));
        }
        AuthorizationRequest request = held.get();
        Map<String, String> query = new LinkedHashMap<>();
        if ("deny".equals(decision)) {
            codes.deny();
            log.info("Authorization denied for client {}", request.clientId());
            query.put("error", "access_denied");
            query.put("state", request.state());
            return redirect(RedirectUris.with(request.redirectUri(), query));
        }
        // a company that is connected already is authorized again (a reconnect keeps its realm id); any other name, or
        // none, is a new company
        String realmId = company != null && realms.exists(company.strip()) ? company.strip() : newRealmId();
        String code = codes.approve(request, realmId);
        log.info("Authorization approved for client {}: realm {}, scopes {}, PKCE {}", request.clientId(), realmId,
                request.scopes(), request.codeChallenge() != null);
        query.put("code", code);
        query.put("state", request.state());
        query.put("realmId", realmId);
        return redirect(RedirectUris.with(request.redirectUri(), query));
    }

    private String newRealmId() {
        String realmId;
        do {
            realmId = REALM_ID_PREFIX + String.format("%012d", random.nextLong(REALM_ID_SUFFIX_BOUND));
        } while (realms.exists(realmId) || codes.reserves(realmId));
        return realmId;
    }

    private static ResponseEntity<String> page(HttpStatus status, String html) {
        return ResponseEntity.status(status)
                .contentType(HTML_UTF8)
                .cacheControl(CacheControl.noStore())
                .header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline';"
                        + " frame-ancestors 'none'")
                .header("Referrer-Policy", "no-referrer")
                .body(html);
    }

    private static ResponseEntity<String> redirect(String location) {
        return ResponseEntity.status(HttpStatus.FOUND)
                .header(HttpHeaders.LOCATION, location)
                .cacheControl(CacheControl.noStore())
                .header("Referrer-Policy", "no-referrer")
                .build();
    }
}
