package io.secretsdk.signer.sidecar;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the sidecar listens: a TCP address ({@code 127.0.0.1:8787}, {@code [::1]:8787}, {@code
 * :8787}, {@code 8787}) or a Unix domain socket ({@code unix:/run/signer/signer.sock}). Immutable
 * and thread-safe.
 */
public final class ListenAddress {

  private static final Pattern BRACKETED = Pattern.compile("\\[([^\\]]+)\\](?::(\\d+))?");

  private final InetSocketAddress tcp;
  private final Path socket;

  private ListenAddress(InetSocketAddress tcp, Path socket) {
    this.tcp = tcp;
    this.socket = socket;
  }

  /** A TCP address. */
  public static ListenAddress tcp(InetSocketAddress address) {
    return new ListenAddress(Objects.requireNonNull(address, "address"), null);
  }

  /** A Unix domain socket at an absolute path. */
  public static ListenAddress unix(Path socket) {
    Objects.requireNonNull(socket, "socket");
    if (!socket.isAbsolute()) {
      throw new IllegalArgumentException(
          "--listen: the socket path must be absolute: unix:" + socket);
    }
    return new ListenAddress(null, socket.normalize());
  }

  /**
   * Parses a {@code --listen} value. Host names are resolved; literal addresses are not looked up.
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  public static ListenAddress parse(String value) {
    String v = value.trim();
    if (v.startsWith("unix:")) {
      String path = v.substring("unix:".length());
      if (path.startsWith("//")) {
        path = URI.create(v).getPath();
      }
      if (path == null || path.isEmpty()) {
        throw new IllegalArgumentException(
            "--listen: give the socket path, like unix:/run/signer/signer.sock");
      }
      return unix(Path.of(path));
    }
    String host;
    String port;
    Matcher m = BRACKETED.matcher(v);
    if (m.matches()) {
      host = m.group(1);
      port = m.group(2);
    } else if (v.chars().filter(c -> c == ':').count() > 1) {
      throw new IllegalArgumentException(
          "--listen: write an IPv6 address in brackets, like [::1]:"
              + SignerSidecar.DEFAULT_PORT
              + ": "
              + value);
    } else if (v.matches("\\d+")) {
      host = "";
      port = v;
    } else {
      int colon = v.lastIndexOf(':');
      host = colon < 0 ? v : v.substring(0, colon);
      port = colon < 0 ? null : v.substring(colon + 1);
    }
    int p = SignerSidecar.DEFAULT_PORT;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        p = -1;
      }
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException(
            "--listen: invalid port '" + SignerSidecar.printable(port) + "' in " + value);
      }
    }
    if (host.isEmpty()) {
      return tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
    }
    try {
      return tcp(new InetSocketAddress(InetAddress.getByName(host), p));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "--listen: cannot resolve host '" + SignerSidecar.printable(host) + "'");
    }
  }

  /** Whether this is a Unix domain socket. */
  public boolean isUnix() {
    return socket != null;
  }

  /** The TCP address, or null for a socket. */
  public InetSocketAddress tcpAddress() {
    return tcp;
  }

  /** The socket path, or null for TCP. */
  public Path socketPath() {
    return socket;
  }

  /** {@code host:port} (IPv6 in brackets) or {@code unix:/path}. */
  @Override
  public String toString() {
    return socket != null ? "unix:" + socket : hostPort(tcp);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ListenAddress && toString().equals(o.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  static String hostPort(InetSocketAddress a) {
    InetAddress ip = a.getAddress();
    String host = ip != null ? ip.getHostAddress() : a.getHostString();
    if (ip instanceof Inet6Address) {
      int scope = host.indexOf('%');
      host = "[" + (scope >= 0 ? host.substring(0, scope) : host) + "]";
    }
    return host + ":" + a.getPort();
  }
}
