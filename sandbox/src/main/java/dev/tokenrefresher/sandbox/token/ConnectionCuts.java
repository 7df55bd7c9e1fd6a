package dev.tokenrefresher.sandbox.token;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.stereotype.Component;

/**
 * Lets the token endpoint close a connection abruptly, without an answer or in the middle of one, as a provider whose
 * front door failed after the rotation does. The servlet API cannot do that (an exception becomes a 500 page, a
 * short body is padded or waited for), so a Tomcat valve hands each request a {@link Runnable} that closes its
 * connection at once: what was flushed before has gone out, nothing after does.
 */
@Component
class ConnectionCuts implements TomcatContextCustomizer {

    private static final String ATTRIBUTE = ConnectionCuts.class.getName();

    @Override
    public void customize(Context context) {
        context.getPipeline().addValve(new CutValve());
    }

    /** Closes the request's connection now; anything written afterwards is discarded. */
    static void cut(HttpServletRequest request) {
        if (!(request.getAttribute(ATTRIBUTE) instanceof Runnable cut)) {
            throw new IllegalStateException("the sandbox runs without its Tomcat valve: cannot cut a connection");
        }
        cut.run();
    }

    private static final class CutValve extends ValveBase {

        CutValve() {
            super(true);
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            request.setAttribute(ATTRIBUTE, (Runnable) () -> response.getCoyoteResponse().action(
                    ActionCode.CLOSE_NOW, null));
            getNext().invoke(request, response);
        }
    }
}
