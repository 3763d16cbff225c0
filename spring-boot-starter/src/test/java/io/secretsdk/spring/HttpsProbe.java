package io.secretsdk.spring;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS client of the SSL bundle tests (Tomcat and Reactor Netty): new connections on loopback
 * that trust whatever the server presents, since the tests assert on the certificate's serial
 * number itself, and keep-alive requests on a connection that stays open across rotations.
 */
final class HttpsProbe {

  private HttpsProbe() {}

  /** A new connection with a new client context, so no session can be resumed. */
  static SSLSocket connect(int port) throws Exception {
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, new TrustManager[] {new TrustEveryServer()}, new SecureRandom());
    SSLSocket socket =
        (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(20_000);
    return socket;
  }

  /** A new full handshake: the serial number of the certificate the server presented. */
  static BigInteger handshakeSerial(int port) throws Exception {
    try (SSLSocket socket = connect(port)) {
      socket.startHandshake();
      return serial(socket);
    }
  }

  /** The serial number of the certificate the server presented on {@code socket}. */
  static BigInteger serial(SSLSocket socket) throws Exception {
    return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
  }

  /** One keep-alive request for {@code /ping} on an open connection; the status code. */
  static int ping(SSLSocket socket, BufferedReader in) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String status = in.readLine();
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      // Headers of a 204: no body follows.
    }
    return Integer.parseInt(status.split(" ")[1]);
  }

  /** Trusts whatever the server presents: the tests assert on the serial itself. */
  static final class TrustEveryServer implements X509TrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
