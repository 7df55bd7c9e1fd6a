package dev.tokenrefresher.systemtests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The host app's page a connect session sends the user back to: a real page (so the browser lands somewhere a person can
 * see in a screenshot) that lists the query parameters it got, and records them as the host app would read them.
 */
final class ReturnPage implements AutoCloseable {

    private static final String PATH = "/done";

    private final HttpServer server;
    private final List<Map<String, String>> visits = new CopyOnWriteArrayList<>();

    private ReturnPage(HttpServer server) {
        this.server = server;
    }

    static ReturnPage start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            ReturnPage page = new ReturnPage(server);
            server.createContext(PATH, page::answer);
            server.start();
            return page;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the return page's server", e);
        }
    }

    /** What the scheduler's {@code refresher.connect.allowed-return-urls[0]} must allow. */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** The return URL sessions name; its own parameter must come back with the scheduler's. */
    String url() {
        return base() + PATH.substring(1) + "?from=browser";
    }

    /** The parameters of the last visit. */
    Map<String, String> lastVisit() {
        if (visits.isEmpty()) {
            throw new IllegalStateException("nobody came back to " + url());
        }
        return visits.getLast();
    }

    private void answer(HttpExchange exchange) throws IOException {
        Map<String, String> parameters = query(exchange.getRequestURI());
        visits.add(parameters);
        StringBuilder rows = new StringBuilder();
        parameters.forEach((name, value) -> rows.append("<tr><th>").append(escape(name)).append("</th><td id=\"")
                .append(escape(name)).append("\">").append(escape(value)).append("</td></tr>\n"));
        String html = """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Host app — back from connecting</title></head>
                <body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
                <h1>Back at the host app</h1>
                <table id="parameters" border="1" cellpadding="6">
                %s</table>
                </body></html>
                """.formatted(rows);
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (uri.getRawQuery() == null) {
            return parameters;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value,
                    StandardCharsets.UTF_8));
        }
        return parameters;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
