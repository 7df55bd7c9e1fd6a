package dev.tokenrefresher.scheduler.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates a request by its {@code X-API-Key} header. Without the header the request stays anonymous (and is
 * refused by the authorization rules where a role is needed); with an unknown key it is marked so that the 401 says
 * which of the two happened.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    static final String HEADER = "X-API-Key";
    static final String INVALID_KEY_ATTRIBUTE = ApiKeyAuthenticationFilter.class.getName() + ".invalid";

    private final ApiKeys keys;

    ApiKeyAuthenticationFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(HEADER);
        if (presented != null && !presented.isEmpty()) {
            keys.holderOf(presented).ifPresentOrElse(holder -> {
                var authorities = holder.roles().stream().map(role -> new SimpleGrantedAuthority(role.authority()))
                        .toList();
                var authentication = UsernamePasswordAuthenticationToken.authenticated(holder.name(), null,
                        authorities);
                SecurityContextHolder.getContext().setAuthentication(authentication);
            }, () -> request.setAttribute(INVALID_KEY_ATTRIBUTE, Boolean.TRUE));
        }
        chain.doFilter(request, response);
    }
}
