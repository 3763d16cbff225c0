package io.secretsdk;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An echo server on 127.0.0.1 (ephemeral port) whose {@link SSLServerSocket} comes from the context
 * under test, and a client that trusts the test CA. Each client handshake uses a fresh client
 * context, so no session is ever resumed: every handshake is a full one.
 */
final class TlsTestServer implements AutoCloseable {

  private final SSLServerSocket server;
  private final Thread acceptor;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final X509Certificate trustedCa;

  TlsTestServer(SSLContext context, X509Certificate trustedCa) throws IOException {
    this.trustedCa = trustedCa;
    server =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "tls-test-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        accepted.add(socket);
        Thread echo = new Thread(() -> echo(socket), "tls-test-echo");
        echo.setDaemon(true);
        echo.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void echo(Socket socket) {
    try (socket;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
      OutputStream out = socket.getOutputStream();
      String line;
      while ((line = in.readLine()) != null) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      // The client went away or the handshake failed: nothing to do in an echo server.
    }
  }

  /** A connected client whose handshake is done. */
  Client connect() throws Exception {
    SSLContext client = SSLContext.getInstance("TLS");
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", trustedCa);
    trust.init(store);
    client.init(null, trust.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), 10_000);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return new Client(socket);
  }

  /** The serial number of the certificate a new full handshake presents. */
  BigInteger handshakeSerial() throws Exception {
    try (Client client = connect()) {
      return client.serial();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : accepted) {
      socket.close();
    }
  }

  /** One open TLS connection to the echo server. */
  static final class Client implements AutoCloseable {
    private final SSLSocket socket;
    private final BufferedReader in;

    Client(SSLSocket socket) throws IOException {
      this.socket = socket;
      this.in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    BigInteger serial() throws IOException {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /** Sends a line and returns the echo. */
    String roundTrip(String line) {
      try {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return in.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
