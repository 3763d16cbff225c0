package io.secretsdk.signer.sidecar;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.secretsdk.signer.HmacAlgorithm;
import io.secretsdk.signer.KeyStatus;
import io.secretsdk.signer.Signer;
import io.secretsdk.signer.SigningKeyNotFoundException;
import io.secretsdk.signer.protocol.ProtocolException;
import io.secretsdk.signer.protocol.ProtocolRequest;
import io.secretsdk.signer.protocol.ProtocolRoute;
import io.secretsdk.signer.protocol.SignerProtocol;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The sidecar's HTTP endpoints on one connection, behind Netty's HTTP/1.1 codec: collects a
 * request's body (bounded), routes it with {@link ProtocolRoute}, decodes it with {@link
 * SignerProtocol}, signs or verifies through the public {@link Signer} API and answers. Requests of
 * one connection are answered in order; large batches run on the worker pool so they never hold up
 * the I/O thread. One instance per connection, used on its event loop only.
 *
 * <p>Its length is the edge cases the abuse suite holds it to (bounded bodies, 408/413/431 answers,
 * pipelined requests answered in order, write timeouts), kept together because they share one
 * connection's state.
 */
final class SidecarHttpHandler extends ChannelInboundHandlerAdapter {

  /** Batches up to this many items are answered on the I/O thread; larger ones on a worker. */
  static final int INLINE_ITEMS = 256;

  private static final System.Logger LOG = System.getLogger(SignerSidecar.class.getName());

  private final Signer signer;
  private final ConnectionGuard.Tracker tracker;
  private final Executor workers;
  private final int maxBodyBytes;
  private final int maxBatch;
  private final long drainLimit;

  private HttpRequest request;
  private ProtocolRoute route;
  private ProtocolException error;
  private boolean keepAlive;
  private ByteBuf body;
  private long received;

  /** While a worker answers, later pipelined messages of this connection wait here, in order. */
  private ArrayDeque<Object> waiting;

  private boolean busy;

  /**
   * Answers written during this read, flushed once when the read completes (one system call for a
   * pipelined burst).
   */
  private boolean unflushed;

  SidecarHttpHandler(
      Signer signer,
      ConnectionGuard.Tracker tracker,
      Executor workers,
      int maxBodyBytes,
      int maxBatch) {
    this.signer = signer;
    this.tracker = tracker;
    this.workers = workers;
    this.maxBodyBytes = maxBodyBytes;
    this.maxBatch = maxBatch;
    this.drainLimit = Math.max(16L * maxBodyBytes, 16L * 1024 * 1024);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    inRead = true;
    if (busy) {
      waiting.add(msg);
      return;
    }
    try {
      if (msg instanceof HttpObject) {
        read(ctx, (HttpObject) msg);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void read(ChannelHandlerContext ctx, HttpObject msg) {
    if (tracker.closing()) {
      return;
    }
    if (msg.decoderResult().isFailure()) {
      framingError(ctx, msg.decoderResult().cause());
      return;
    }
    if (msg instanceof HttpRequest) {
      start(ctx, (HttpRequest) msg);
    }
    if (msg instanceof HttpContent && request != null) {
      content(ctx, ((HttpContent) msg).content());
      if (msg instanceof LastHttpContent && request != null) {
        tracker.requestComplete();
        finish(ctx);
      }
    }
  }

  private void start(ChannelHandlerContext ctx, HttpRequest req) {
    request = req;
    keepAlive = HttpUtil.isKeepAlive(req);
    error = null;
    received = 0;
    releaseBody();
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    try {
      route = ProtocolRoute.of(req.method().name(), path);
      if (route.endpoint() != ProtocolRoute.Endpoint.HEALTH) {
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (!SignerProtocol.isJson(type)) {
          throw SignerProtocol.notJson(type);
        }
      }
    } catch (ProtocolException e) {
      route = null;
      error = e;
    }
    long declared = HttpUtil.getContentLength(req, -1L);
    if (declared > maxBodyBytes) {
      error = tooLarge(declared);
      if (declared > drainLimit) {
        // Too much to read and discard: answer now and close.
        keepAlive = false;
        respondError(ctx, error);
        request = null;
        return;
      }
    }
    if (error == null && HttpUtil.is100ContinueExpected(req)) {
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }

  private void content(ChannelHandlerContext ctx, ByteBuf chunk) {
    int n = chunk.readableBytes();
    received += n;
    if (error != null) {
      if (received > drainLimit) {
        keepAlive = false;
        respondError(ctx, error);
        request = null;
      }
      return;
    }
    if (received > maxBodyBytes) {
      error = tooLarge(received);
      releaseBody();
      return;
    }
    if (n > 0) {
      if (body == null) {
        long declared = HttpUtil.getContentLength(request, -1L);
        int initial = (int) Math.max(n, Math.min(declared > 0 ? declared : 256, maxBodyBytes));
        body = ctx.alloc().heapBuffer(initial, maxBodyBytes);
      }
      body.writeBytes(chunk);
    }
  }

  private ProtocolException tooLarge(long size) {
    return new ProtocolException(
        413,
        "the request body has "
            + size
            + " bytes, more than the limit of "
            + maxBodyBytes
            + " (split large batches)");
  }

  private void finish(ChannelHandlerContext ctx) {
    ProtocolRoute r = route;
    ProtocolException e = error;
    request = null;
    if (e != null) {
      releaseBody();
      respondError(ctx, e);
      return;
    }
    if (r.endpoint() == ProtocolRoute.Endpoint.HEALTH) {
      releaseBody();
      List<KeyStatus> keys = signer.keyStatus();
      boolean usable = keys.stream().anyMatch(KeyStatus::usable);
      respond(
          ctx,
          usable ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
          SignerProtocol.encodeHealth(keys),
          r.head());
      return;
    }
    ProtocolRequest decoded;
    try {
      ByteBuf b = body;
      decoded =
          b == null
              ? SignerProtocol.decodeRequest(
                  new byte[0], 0, 0, r.endpoint() == ProtocolRoute.Endpoint.VERIFY, maxBatch)
              : SignerProtocol.decodeRequest(
                  b.array(),
                  b.arrayOffset() + b.readerIndex(),
                  b.readableBytes(),
                  r.endpoint() == ProtocolRoute.Endpoint.VERIFY,
                  maxBatch);
    } catch (ProtocolException pe) {
      respondError(ctx, pe);
      return;
    } finally {
      releaseBody();
    }
    if (workers == null || decoded.inputs().size() <= INLINE_ITEMS) {
      answer(ctx, r, decoded);
      return;
    }
    // A large batch: sign it on a worker; this connection's later requests wait for it.
    busy = true;
    waiting = waiting == null ? new ArrayDeque<>() : waiting;
    ctx.channel().config().setAutoRead(false);
    try {
      workers.execute(
          () -> {
            byte[][] out = new byte[1][];
            HttpResponseStatus[] status = new HttpResponseStatus[1];
            compute(r, decoded, out, status);
            ctx.executor()
                .execute(
                    () -> {
                      busy = false;
                      inRead = false;
                      respond(ctx, status[0], out[0], false);
                      resume(ctx);
                      if (unflushed) {
                        unflushed = false;
                        ctx.flush();
                      }
                    });
          });
    } catch (RejectedExecutionException rejected) {
      busy = false;
      ctx.channel().config().setAutoRead(ctx.channel().isWritable());
      respondError(
          ctx,
          new ProtocolException(503, "the signer is busy with other large batches; retry shortly"));
    }
  }

  private void resume(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    while (!busy && !waiting.isEmpty()) {
      channelRead(ctx, waiting.poll());
    }
  }

  private void answer(ChannelHandlerContext ctx, ProtocolRoute r, ProtocolRequest decoded) {
    byte[][] out = new byte[1][];
    HttpResponseStatus[] status = new HttpResponseStatus[1];
    compute(r, decoded, out, status);
    respond(ctx, status[0], out[0], false);
  }

  /** Signs or verifies; never throws (errors become their answer). */
  private void compute(
      ProtocolRoute r, ProtocolRequest decoded, byte[][] out, HttpResponseStatus[] status) {
    try {
      if (r.endpoint() == ProtocolRoute.Endpoint.SIGN) {
        HmacAlgorithm algorithm = SignerProtocol.algorithm(r.pathAlgorithm(), decoded.algorithm());
        List<String> signatures =
            decoded.batch()
                ? signer.signBatch(r.keyName(), decoded.inputs(), algorithm)
                : List.of(signer.sign(r.keyName(), decoded.inputs().get(0), algorithm));
        out[0] = SignerProtocol.encodeSignResponse(signatures, decoded.batch());
      } else {
        List<Boolean> valid =
            decoded.batch()
                ? signer.verifyBatch(r.keyName(), decoded.inputs(), decoded.signatures())
                : List.of(
                    signer.verify(
                        r.keyName(), decoded.inputs().get(0), decoded.signatures().get(0)));
        out[0] = SignerProtocol.encodeVerifyResponse(valid, decoded.batch());
      }
      status[0] = HttpResponseStatus.OK;
    } catch (ProtocolException e) {
      status[0] = HttpResponseStatus.valueOf(e.status());
      out[0] = SignerProtocol.encodeError(e.getMessage());
    } catch (SigningKeyNotFoundException e) {
      status[0] = HttpResponseStatus.NOT_FOUND;
      out[0] = SignerProtocol.encodeError(e.getMessage());
    } catch (RuntimeException | Error e) {
      // Class name only: a message could in principle carry request data.
      LOG.log(Level.WARNING, "signer request failed unexpectedly: " + e.getClass().getName());
      status[0] = HttpResponseStatus.INTERNAL_SERVER_ERROR;
      out[0] = SignerProtocol.encodeError("internal error");
    }
  }

  /** A request the HTTP codec could not read: answered in the protocol's JSON, then closed. */
  private void framingError(ChannelHandlerContext ctx, Throwable cause) {
    ProtocolException e;
    if (cause instanceof TooLongHttpHeaderException) {
      e =
          new ProtocolException(
              431,
              "the request headers are too large or too many (at most "
                  + SidecarServer.MAX_HEADER_BYTES
                  + " bytes)");
    } else if (cause instanceof TooLongHttpLineException) {
      e =
          new ProtocolException(
              414, "the request line is longer than " + SidecarServer.MAX_LINE_BYTES + " bytes");
    } else if (cause instanceof TooLongFrameException) {
      e = new ProtocolException(400, "malformed HTTP request: a part of it is too long");
    } else {
      String m = cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
      e =
          new ProtocolException(
              400,
              m.contains("content-length")
                  ? "malformed HTTP request: invalid Content-Length"
                  : "malformed HTTP request");
    }
    request = null;
    releaseBody();
    tracker.requestComplete();
    keepAlive = false;
    respondError(ctx, e);
  }

  private void respondError(ChannelHandlerContext ctx, ProtocolException e) {
    FullHttpResponse response =
        response(
            HttpResponseStatus.valueOf(e.status()),
            SignerProtocol.encodeError(e.getMessage()),
            false);
    if (e.allow() != null) {
      response.headers().set(HttpHeaderNames.ALLOW, e.allow());
    }
    send(ctx, response);
  }

  private void respond(
      ChannelHandlerContext ctx, HttpResponseStatus status, byte[] bytes, boolean head) {
    send(ctx, response(status, bytes, head));
  }

  private FullHttpResponse response(HttpResponseStatus status, byte[] bytes, boolean head) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return response;
  }

  private void send(ChannelHandlerContext ctx, FullHttpResponse response) {
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      tracker.markClosing();
      unflushed = false;
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else if (busy || !inRead) {
      ctx.writeAndFlush(response, ctx.voidPromise());
    } else {
      ctx.write(response, ctx.voidPromise());
      unflushed = true;
    }
  }

  private boolean inRead;

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    inRead = false;
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
    super.channelReadComplete(ctx);
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseBody();
    if (waiting != null) {
      for (Object o : waiting) {
        ReferenceCountUtil.release(o);
      }
      waiting.clear();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and broken pipes are the client's business; nothing of theirs is logged.
    tracker.markClosing();
    ctx.close();
  }
}
