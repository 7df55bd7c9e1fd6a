package dev.tokenrefresher.common.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a service that can fail the two ways a peer does. {@link #blackhole()}: the connections stay
 * open, but no byte passes any more in either direction, as when a network path fails silently or a primary vanishes
 * without closing its sockets; clients see neither an error nor an answer, only silence. {@link #down()}: the service
 * is stopped; every open connection is closed and new ones are refused until {@link #up()}, on the same port.
 */
public final class BlackholeProxy implements AutoCloseable {

    private volatile ServerSocket server;
    private final int port;
    private final String upstreamHost;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean blackholed;

    private BlackholeProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.port = server.getLocalPort();
        startAccepting(server);
    }

    private void startAccepting(ServerSocket listening) {
        Thread.ofVirtual().name("blackhole-proxy-accept").start(() -> accept(listening));
    }

    /** A proxy on a free local port to {@code upstreamHost:upstreamPort}. */
    public static BlackholeProxy to(String upstreamHost, int upstreamPort) {
        try {
            return new BlackholeProxy(upstreamHost, upstreamPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** The service stops: open connections are closed, new ones refused, until {@link #up()}. */
    public synchronized void down() {
        closeAll();
    }

    /** The service is back on the same port (if it was down); nothing of the connections {@link #down()} closed survives. */
    public synchronized void up() {
        if (!server.isClosed()) {
            return;
        }
        try {
            ServerSocket listening = new ServerSocket();
            listening.setReuseAddress(true);
            listening.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            server = listening;
            startAccepting(listening);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From now on no byte passes, while every connection stays open. */
    public void blackhole() {
        blackholed = true;
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            Socket client;
            Socket upstream;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return;
            }
            try {
                upstream = new Socket(upstreamHost, upstreamPort);
            } catch (IOException e) {
                close(client);
                continue;
            }
            // A down() while the upstream connection was being made must not leave this pair alive: it closed the
            // connections it knew of, and this one was not among them yet (a pool reconnecting at that moment got a
            // working connection through a proxy that was down, and a test waiting for the outage waited in vain).
            synchronized (this) {
                if (listening.isClosed()) {
                    close(client);
                    close(upstream);
                    return;
                }
                sockets.add(client);
                sockets.add(upstream);
            }
            Thread.ofVirtual().start(() -> pump(client, upstream));
            Thread.ofVirtual().start(() -> pump(upstream, client));
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (!blackholed) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // one side closed: the pump ends
        }
    }

    @Override
    public synchronized void close() {
        closeAll();
    }

    private void closeAll() {
        try {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
            sockets.clear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
