package io.secretsdk.signer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One keep-alive HTTP/1.1 connection to the sidecar, over TCP or a Unix domain socket, driven by
 * the calling thread: a non-blocking {@link SocketChannel} with its own {@link Selector}, so every
 * wait (connect, write, read) ends at the call's deadline without any other thread. Used by one
 * thread at a time (the pool hands it out); not thread-safe.
 */
final class SidecarConnection implements AutoCloseable {

  /** The connection was not established in time. */
  static final class ConnectTimeout extends IOException {
    private static final long serialVersionUID = 1L;

    ConnectTimeout() {
      super("connect timed out");
    }
  }

  /** The answer did not arrive in time. */
  static final class AnswerTimeout extends IOException {
    private static final long serialVersionUID = 1L;

    AnswerTimeout() {
      super("no answer in time");
    }
  }

  /** The peer closed or reset the connection before the first byte of the answer. */
  static final class ClosedBeforeAnswer extends IOException {
    private static final long serialVersionUID = 1L;

    ClosedBeforeAnswer(String message) {
      super(message);
    }
  }

  static final int MAX_HEAD_BYTES = 64 * 1024;
  static final int MAX_BODY_BYTES = 256 * 1024 * 1024;

  private final SocketChannel channel;
  private final Selector selector;
  private final SelectionKey key;
  private byte[] in = new byte[8 * 1024];
  private boolean open = true;

  /**
   * Whether this connection has carried an exchange before (a stale keep-alive may fail at once).
   */
  boolean reused;

  /**
   * The last answer: status, body region in {@link #body()}, and whether the peer keeps the
   * connection.
   */
  int status;

  private byte[] body;
  private int bodyOffset;
  private int bodyLength;
  private boolean keepAlive;

  private SidecarConnection(SocketChannel channel, Selector selector, SelectionKey key) {
    this.channel = channel;
    this.selector = selector;
    this.key = key;
  }

  /**
   * Connects to a TCP ({@code unix == false}) or Unix domain socket address by {@code deadline}
   * ({@link System#nanoTime()}).
   */
  static SidecarConnection open(SocketAddress address, boolean unix, long deadline)
      throws IOException {
    SocketChannel ch =
        unix ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
    Selector sel = null;
    try {
      ch.configureBlocking(false);
      if (!unix) {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
      sel = Selector.open();
      SelectionKey k = ch.register(sel, 0);
      SidecarConnection c = new SidecarConnection(ch, sel, k);
      if (!ch.connect(address)) {
        while (!ch.finishConnect()) {
          c.await(SelectionKey.OP_CONNECT, deadline, true);
        }
      }
      return c;
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      if (sel != null) {
        closeQuietly(sel);
      }
      throw e;
    }
  }

  /**
   * Sends one request (head and body in {@code request}) and reads the answer by {@code deadline}.
   * Afterwards {@link #status}, {@link #body()} and {@link #keepAlive()} describe it.
   */
  void exchange(byte[] request, long deadline) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(request);
    while (out.hasRemaining()) {
      if (channel.write(out) == 0) {
        await(SelectionKey.OP_WRITE, deadline, false);
      }
    }
    readAnswer(deadline);
    reused = true;
  }

  private void readAnswer(long deadline) throws IOException {
    int filled = 0;
    int headEnd;
    while ((headEnd = headEnd(in, filled)) < 0) {
      if (filled == in.length) {
        if (in.length >= MAX_HEAD_BYTES) {
          throw new IOException("answer headers larger than " + MAX_HEAD_BYTES + " bytes");
        }
        in = Arrays.copyOf(in, in.length * 2);
      }
      int n = channel.read(ByteBuffer.wrap(in, filled, in.length - filled));
      if (n < 0) {
        if (filled == 0) {
          throw new ClosedBeforeAnswer("the connection was closed before an answer");
        }
        throw new EOFException("the connection was closed in the middle of the answer");
      }
      if (n == 0) {
        await(SelectionKey.OP_READ, deadline, false);
      }
      filled += n;
    }
    parseHead(headEnd);
    if (bodyLength > MAX_BODY_BYTES) {
      throw new IOException(
          "answer body of " + bodyLength + " bytes is larger than " + MAX_BODY_BYTES);
    }
    int have = filled - headEnd;
    if (have > bodyLength) {
      // Bytes beyond this answer: the peer does not speak request/response; do not reuse.
      keepAlive = false;
    }
    if (headEnd + bodyLength <= in.length) {
      body = in;
      bodyOffset = headEnd;
    } else {
      body = new byte[bodyLength];
      System.arraycopy(in, headEnd, body, 0, Math.min(have, bodyLength));
      bodyOffset = 0;
    }
    int got = Math.min(have, bodyLength);
    while (got < bodyLength) {
      int n = channel.read(ByteBuffer.wrap(body, bodyOffset + got, bodyLength - got));
      if (n < 0) {
        throw new EOFException("the connection was closed in the middle of the answer body");
      }
      if (n == 0) {
        await(SelectionKey.OP_READ, deadline, false);
      }
      got += n;
    }
  }

  private void parseHead(int headEnd) throws IOException {
    String head = new String(in, 0, headEnd, StandardCharsets.ISO_8859_1);
    if (!head.startsWith("HTTP/1.") || head.length() < 12 || head.charAt(8) != ' ') {
      throw new IOException("not an HTTP/1.x answer");
    }
    try {
      status = Integer.parseInt(head.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP/1.x answer");
    }
    keepAlive = head.charAt(7) == '1';
    long length = -1;
    int lineStart = head.indexOf("\r\n") + 2;
    while (lineStart < headEnd - 2) {
      int lineEnd = head.indexOf("\r\n", lineStart);
      int colon = head.indexOf(':', lineStart);
      if (colon > lineStart && colon < lineEnd) {
        String name = head.substring(lineStart, colon).trim();
        String value = head.substring(colon + 1, lineEnd).trim();
        if (name.equalsIgnoreCase("content-length")) {
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("invalid Content-Length in the answer");
          }
        } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
          keepAlive = false;
        } else if (name.equalsIgnoreCase("transfer-encoding")) {
          throw new IOException("chunked answers are not part of the protocol");
        }
      }
      lineStart = lineEnd + 2;
    }
    if (length < 0 || length > Integer.MAX_VALUE) {
      throw new IOException("the answer has no usable Content-Length");
    }
    bodyLength = (int) length;
  }

  /** The index just after the blank line ending the head, or -1. */
  private static int headEnd(byte[] b, int filled) {
    for (int i = 3; i < filled; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  private void await(int op, long deadline, boolean connecting) throws IOException {
    long remaining = deadline - System.nanoTime();
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted");
    }
    if (remaining <= 0) {
      throw connecting ? new ConnectTimeout() : new AnswerTimeout();
    }
    key.interestOps(op);
    selector.select(Math.max(1, (remaining + 999_999) / 1_000_000));
    selector.selectedKeys().clear();
  }

  byte[] body() {
    return body;
  }

  int bodyOffset() {
    return bodyOffset;
  }

  int bodyLength() {
    return bodyLength;
  }

  boolean keepAlive() {
    return keepAlive && open;
  }

  /** Drops a large body buffer so an idle pooled connection stays small. */
  void trim() {
    if (in.length > 64 * 1024) {
      in = new byte[8 * 1024];
    }
    body = null;
  }

  @Override
  public void close() {
    open = false;
    closeQuietly(selector);
    closeQuietly(channel);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // Closing is best effort.
    }
  }
}
