package dev.tokenrefresher.sandbox.token;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Intuit's revocation endpoint, {@code POST /v2/oauth2/tokens/revoke}: the token comes as JSON ({@code {"token": ...}},
 * as Intuit takes it) or as an RFC 7009 form. 200 for a revoked or unknown token (RFC 7009 section 2.2), 401 for bad
 * client credentials.
 */
@RestController
class RevocationEndpointController {

    static final String PATH = "/v2/oauth2/tokens/revoke";

    private final TokenAuthority authority;

    RevocationEndpointController(TokenAuthority authority) {
        this.authority = authority;
    }

    @PostMapping(path = PATH, consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> revokeJson(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @RequestBody(required = false) JsonNode body) {
        String token = body == null || !body.path("token").isString() ? null : body.get("token").asString();
        String clientId = body == null || !body.path("client_id").isString() ? null : body.get("client_id").asString();
        String secret = body == null || !body.path("client_secret").isString()
                ? null
                : body.get("client_secret").asString();
        return answer(authorization, clientId, secret, token);
    }

    @PostMapping(path = PATH, consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<?> revokeForm(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @RequestParam(name = "token", required = false) String token,
            @RequestParam(name = "client_id", required = false) String clientId,
            @RequestParam(name = "client_secret", required = false) String clientSecret) {
        return answer(authorization, clientId, clientSecret, token);
    }

    private ResponseEntity<?> answer(String authorization, String clientId, String clientSecret, String token) {
        if (token == null || token.isBlank()) {
            return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_JSON).body(
                    new TokenEndpointController.ErrorBody(OAuthError.INVALID_REQUEST.code(), "token is missing"));
        }
        return switch (authority.revokeByToken(ClientCredentials.fromRequest(authorization, clientId, clientSecret),
                token)) {
            case REVOKED, UNKNOWN_TOKEN -> ResponseEntity.ok().build();
            case INVALID_CLIENT -> ResponseEntity.status(OAuthError.INVALID_CLIENT.status())
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"sandbox\"")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(new TokenEndpointController.ErrorBody(OAuthError.INVALID_CLIENT.code(), null));
        };
    }
}
