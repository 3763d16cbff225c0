package io.secretsdk.signer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.secretsdk.signer.protocol.ProtocolException;
import io.secretsdk.signer.protocol.ProtocolRequest;
import io.secretsdk.signer.protocol.ProtocolRoute;
import io.secretsdk.signer.protocol.SignerProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The previous sidecar transport, kept only as the benchmark's baseline: the JDK's {@code
 * com.sun.net.httpserver} with a request thread pool (default 4 on 2 CPUs, as the old sidecar had),
 * speaking the same protocol through {@link SignerProtocol} and the public {@link Signer} API.
 * Needs {@code sun.net.httpserver.nodelay=true} set before the first server is created (the harness
 * sets it in its {@code main}). Not a product: no limits, no timeouts.
 */
final class JdkHttpServerBaseline implements AutoCloseable {

  private final HttpServer server;
  private final ThreadPoolExecutor executor;

  JdkHttpServerBaseline(Signer signer, int threads) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger count = new AtomicInteger();
    executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256),
            r -> {
              Thread t = new Thread(r, "jdk-httpserver-handler-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(signer, exchange));
    server.start();
  }

  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void handle(Signer signer, HttpExchange exchange) {
    try (exchange) {
      int status = 200;
      byte[] answer;
      try {
        ProtocolRoute route =
            ProtocolRoute.of(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath());
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
          body = in.readAllBytes();
        }
        if (route.endpoint() == ProtocolRoute.Endpoint.HEALTH) {
          answer = SignerProtocol.encodeHealth(signer.keyStatus());
        } else {
          if (!SignerProtocol.isJson(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            throw SignerProtocol.notJson(exchange.getRequestHeaders().getFirst("Content-Type"));
          }
          boolean verify = route.endpoint() == ProtocolRoute.Endpoint.VERIFY;
          ProtocolRequest r = SignerProtocol.decodeRequest(body, 0, body.length, verify, 10_000);
          if (!verify) {
            HmacAlgorithm a = SignerProtocol.algorithm(route.pathAlgorithm(), r.algorithm());
            List<String> s =
                r.batch()
                    ? signer.signBatch(route.keyName(), r.inputs(), a)
                    : List.of(signer.sign(route.keyName(), r.inputs().get(0), a));
            answer = SignerProtocol.encodeSignResponse(s, r.batch());
          } else {
            List<Boolean> v =
                r.batch()
                    ? signer.verifyBatch(route.keyName(), r.inputs(), r.signatures())
                    : List.of(
                        signer.verify(route.keyName(), r.inputs().get(0), r.signatures().get(0)));
            answer = SignerProtocol.encodeVerifyResponse(v, r.batch());
          }
        }
      } catch (ProtocolException e) {
        status = e.status();
        answer = SignerProtocol.encodeError(e.getMessage());
      } catch (SigningKeyNotFoundException e) {
        status = 404;
        answer = SignerProtocol.encodeError(e.getMessage());
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    } catch (IOException | RuntimeException e) {
      // The client went away.
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
