package dev.tokenrefresher.sandbox.token;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tokenrefresher.sandbox.faults.InjectedFault;
import dev.tokenrefresher.sandbox.faults.OddAnswers;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Intuit's token endpoint, {@code POST /oauth2/v1/tokens/bearer}, for the refresh-token and authorization-code grants.
 */
@RestController
class TokenEndpointController {

    static final String PATH = "/oauth2/v1/tokens/bearer";
    static final String HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in";
    /** What an API gateway answers when the service behind it failed. */
    private static final byte[] SERVER_ERROR_BODY = "{\"message\":\"Internal Server Error\"}".getBytes(
            StandardCharsets.UTF_8);

    private final TokenAuthority authority;
    private final OddAnswers oddAnswers;
    private final ObjectMapper json;

    TokenEndpointController(TokenAuthority authority, OddAnswers oddAnswers, ObjectMapper json) {
        this.authority = authority;
        this.oddAnswers = oddAnswers;
        this.json = json;
    }

    @PostMapping(path = PATH, consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<?> token(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @RequestHeader(name = HARD_EXPIRY_HEADER, required = false) String includeHardExpiry,
            @RequestParam(name = "grant_type", required = false) String grantType,
            @RequestParam(name = "refresh_token", required = false) String refreshToken,
            @RequestParam(name = "client_id", required = false) String clientId,
            @RequestParam(name = "client_secret", required = false) String clientSecret,
            @RequestParam(name = "code", required = false) String code,
            @RequestParam(name = "redirect_uri", required = false) String redirectUri,
            @RequestParam(name = "code_verifier", required = false) String codeVerifier,
            HttpServletRequest servletRequest, HttpServletResponse servletResponse) {
        TokenRequest request = new TokenRequest(ClientCredentials.fromRequest(authorization, clientId, clientSecret),
                grantType, refreshToken, Boolean.parseBoolean(includeHardExpiry), code, redirectUri, codeVerifier);
        return switch (authority.answer(request)) {
            case TokenGrant grant -> granted(grant);
            case TokenRefusal refusal -> refuse(refusal);
            case FaultAnswer faulted -> injected(faulted.fault(), request, servletResponse);
            case LostAnswer lost -> {
                authority.holding(request, () -> lose(lost, servletRequest, servletResponse));
                yield null;
            }
        };
    }

    /**
     * The token was rotated; the answer carrying the new one breaks off as the fault says. Held as in flight for the
     * connection ({@link TokenAuthority#holding}): a stall after the rotation is an answer the provider is still
     * sending.
     */
    private void lose(LostAnswer lost, HttpServletRequest request, HttpServletResponse response) {
        byte[] grant = json.writeValueAsBytes(lost.grant());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setHeader(HttpHeaders.PRAGMA, "no-cache");
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        try {
            switch (lost.fault().kind()) {
                case RESET -> ConnectionCuts.cut(request);
                case SERVER_ERROR -> {
                    response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
                    write(response, SERVER_ERROR_BODY, SERVER_ERROR_BODY.length);
                }
                case TRUNCATED -> {
                    response.setStatus(HttpServletResponse.SC_OK);
                    write(response, grant, truncatedLength(grant));
                }
                case STALL -> {
                    response.setStatus(HttpServletResponse.SC_OK);
                    response.setContentLength(grant.length);
                    var out = response.getOutputStream();
                    out.write(grant, 0, 1);
                    out.flush();
                    Thread.sleep(lost.fault().stall());
                    ConnectionCuts.cut(request);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ConnectionCuts.cut(request);
        } catch (IOException e) {
            // the client gave up first: the answer is lost all the same
        }
    }

    /** The body up to just before the refresh token: valid HTTP, broken JSON, and the new token nowhere in it. */
    private static int truncatedLength(byte[] grant) {
        int refreshToken = new String(grant, StandardCharsets.UTF_8).indexOf("\"refresh_token\"");
        return refreshToken > 1 ? refreshToken : grant.length / 2;
    }

    private static void write(HttpServletResponse response, byte[] body, int length) throws IOException {
        response.setContentLength(length);
        response.getOutputStream().write(body, 0, length);
    }

    /** The grant as JSON; oddly rendered if a shape is queued (the token is rotated either way). */
    private ResponseEntity<?> granted(TokenGrant grant) {
        OddAnswers.Shape shape = oddAnswers.poll();
        if (shape == null) {
            return answer(ResponseEntity.ok(), grant);
        }
        ObjectNode body = json.valueToTree(grant);
        return answer(ResponseEntity.ok(), json.writeValueAsString(OddAnswers.render(body, shape)));
    }

    /**
     * Rendered exactly as the fault says: its body is text already, JSON or HTML. A stalled body is held as in flight
     * for the connection ({@link TokenAuthority#holding}): the provider still has the request.
     */
    private ResponseEntity<?> injected(InjectedFault fault, TokenRequest request,
            HttpServletResponse servletResponse) {
        if (fault.bodyStall().isPositive()) {
            authority.holding(request, () -> writeStalled(fault, servletResponse));
            return null;
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(fault.status());
        fault.headers().forEach((name, value) -> response.header(name, value));
        return notCached(response.contentType(fault.contentType())).body(fault.body());
    }

    /** The headers and the first byte go out at once; the rest of the body waits for the stall. */
    private static void writeStalled(InjectedFault fault, HttpServletResponse response) {
        byte[] body = fault.body().getBytes(StandardCharsets.UTF_8);
        response.setStatus(fault.status());
        response.setContentType(fault.contentType().toString());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        try {
            var out = response.getOutputStream();
            out.write(body, 0, 1);
            out.flush();
            Thread.sleep(fault.bodyStall());
            out.write(body, 1, body.length - 1);
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException e) {
            // the client gave up waiting: that is what the stall is for
        }
    }

    private static ResponseEntity<?> refuse(TokenRefusal refusal) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(refusal.error().status());
        if (refusal.error() == OAuthError.INVALID_CLIENT) {
            // RFC 6749 section 5.2 asks for the challenge with a 401
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"sandbox\"");
        }
        return answer(response, new ErrorBody(refusal.error().code(), refusal.description()));
    }

    private static ResponseEntity<?> answer(ResponseEntity.BodyBuilder response, Object body) {
        return notCached(response.contentType(MediaType.APPLICATION_JSON)).body(body);
    }

    /** Token responses must not be cached anywhere on the way (RFC 6749 section 5.1). */
    private static ResponseEntity.BodyBuilder notCached(ResponseEntity.BodyBuilder response) {
        return response.cacheControl(CacheControl.noStore()).header(HttpHeaders.PRAGMA, "no-cache");
    }

    record ErrorBody(
            String error,
            @JsonProperty("error_description") @JsonInclude(JsonInclude.Include.NON_NULL) String errorDescription) {
    }
}
