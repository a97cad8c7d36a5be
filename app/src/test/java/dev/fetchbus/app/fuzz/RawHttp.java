package dev.fetchbus.app.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An HTTP/1.1 client over a plain socket that sends the bytes it is given, malformed or not, and reads one answer:
 * the fuzzer must be able to send what a well-behaved client library refuses to. One kept-alive connection, opened
 * again whenever the server closed it or an exchange left it in an unknown state. For test threads only (it blocks).
 */
public final class RawHttp implements AutoCloseable {
  /** An answer. {@code body} is what was read: for an event stream, up to the end of its first event. */
  public record Response(int status, String statusLine, List<String[]> headers, byte[] body) {
    public String header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    public List<String> headers(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder(statusLine);
      headers.forEach(h -> text.append("\n").append(h[0]).append(": ").append(h[1]));
      String body = bodyText();
      return text.append("\n\n").append(body.length() > 2_000 ? body.substring(0, 2_000) + "…" : body).toString();
    }
  }

  /** A request larger than this is written by a thread of its own, so a server that answers early cannot jam us. */
  private static final int INLINE_WRITE = 64 * 1024;
  /** An answer's body beyond this is a fault of its own, not something to hold in memory. */
  private static final int MAX_BODY = 64 << 20;

  private final String host;
  private final int port;
  private final int timeoutMs;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "fuzz-writer");
    thread.setDaemon(true);
    return thread;
  });
  private Socket socket;
  private InputStream in;
  private int connections;

  public RawHttp(String host, int port, Duration timeout) {
    this.host = host;
    this.port = port;
    this.timeoutMs = (int) timeout.toMillis();
  }

  /** Connections opened so far. */
  public int connections() {
    return connections;
  }

  /**
   * Sends {@code head} (request line and headers, ending with the empty line) and {@code body}, and reads the answer.
   * {@code method} says how to read it (a HEAD answer has no body). {@code fresh}: on a connection of its own, closed
   * afterwards (for requests that may leave the connection in an unknown state).
   */
  public Response exchange(String method, byte[] head, byte[] body, boolean fresh) throws IOException {
    if (fresh) {
      disconnect();
    }
    boolean reused = socket != null;
    try {
      return exchangeOnce(method, head, body, fresh);
    } catch (SocketException | EOFException e) {
      if (!reused) {
        throw e;
      }
      // The kept-alive connection was closed under us before any answer: once more on a new one.
      disconnect();
      return exchangeOnce(method, head, body, fresh);
    }
  }

  private Response exchangeOnce(String method, byte[] head, byte[] body, boolean fresh) throws IOException {
    connect();
    OutputStream out = socket.getOutputStream();
    Future<?> writing = null;
    try {
      byte[] all = new byte[head.length + body.length];
      System.arraycopy(head, 0, all, 0, head.length);
      System.arraycopy(body, 0, all, head.length, body.length);
      if (all.length <= INLINE_WRITE) {
        out.write(all);
        out.flush();
      } else {
        writing = writer.submit(() -> {
          out.write(all);
          out.flush();
          return null;
        });
      }
      Response response = read(method);
      boolean keep = !fresh && keepAlive(response) && (writing == null || finished(writing));
      if (!keep) {
        disconnect();
      }
      return response;
    } catch (IOException | RuntimeException e) {
      disconnect();
      throw e;
    } finally {
      if (writing != null) {
        // Not interrupted: interrupting a thread blocked on a socket closes the socket. A write still blocked ends
        // with the connection, closed above.
        writing.cancel(false);
      }
    }
  }

  private static boolean finished(Future<?> writing) {
    try {
      writing.get(1, java.util.concurrent.TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean keepAlive(Response response) {
    String connection = response.header("Connection");
    return response.statusLine().startsWith("HTTP/1.1") && response.status() != 101
        && (connection == null || !connection.toLowerCase(Locale.ROOT).contains("close"))
        && !"text/event-stream".equals(baseType(response.header("Content-Type")));
  }

  static String baseType(String contentType) {
    return contentType == null ? null : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
  }

  private Response read(String method) throws IOException {
    while (true) {
      String statusLine = line();
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP status line: " + statusLine);
      }
      int status = Integer.parseInt(parts[1]);
      List<String[]> headers = new ArrayList<>();
      for (String header = line(); !header.isEmpty(); header = line()) {
        int colon = header.indexOf(':');
        headers.add(new String[] {header.substring(0, colon).trim(), header.substring(colon + 1).trim()});
      }
      Response head = new Response(status, statusLine, headers, new byte[0]);
      if (status >= 100 && status < 200 && status != 101) {
        continue; // 100 Continue: the real answer follows
      }
      if (method.equalsIgnoreCase("HEAD") || status == 101 || status == 204 || status == 304) {
        return head;
      }
      boolean events = "text/event-stream".equals(baseType(head.header("Content-Type")));
      String chunked = head.header("Transfer-Encoding");
      byte[] body;
      if (chunked != null && chunked.toLowerCase(Locale.ROOT).contains("chunked")) {
        body = chunked(events);
      } else if (head.header("Content-Length") != null) {
        body = exactly(Long.parseLong(head.header("Content-Length")));
      } else {
        body = untilClosed();
      }
      return new Response(status, statusLine, headers, body);
    }
  }

  private byte[] chunked(boolean firstEventOnly) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line().split(";")[0].trim();
      long length = Long.parseLong(size, 16);
      if (length == 0) {
        while (!line().isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.write(exactly(length));
      line();
      if (body.size() > MAX_BODY) {
        throw new IOException("an answer of more than " + MAX_BODY + " bytes");
      }
      if (firstEventOnly && new String(body.toByteArray(), StandardCharsets.UTF_8).contains("\n\n")) {
        return body.toByteArray();
      }
    }
  }

  private byte[] exactly(long length) throws IOException {
    if (length > MAX_BODY) {
      throw new IOException("an answer of " + length + " bytes");
    }
    byte[] bytes = in.readNBytes((int) length);
    if (bytes.length < length) {
      throw new EOFException("answer cut after " + bytes.length + " of " + length + " bytes");
    }
    return bytes;
  }

  private byte[] untilClosed() throws IOException {
    byte[] bytes = in.readNBytes(MAX_BODY + 1);
    if (bytes.length > MAX_BODY) {
      throw new IOException("an answer of more than " + MAX_BODY + " bytes");
    }
    disconnect();
    return bytes;
  }

  /** A line ending in CRLF (or LF), without it, as ISO-8859-1. */
  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed" + (line.size() > 0 ? " mid-line" : ""));
      }
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
      if (line.size() > 1 << 16) {
        throw new IOException("a line of more than 64 KiB");
      }
    }
  }

  private void connect() throws IOException {
    if (socket != null) {
      return;
    }
    Socket opened = new Socket();
    opened.setTcpNoDelay(true);
    opened.setSoTimeout(timeoutMs);
    opened.connect(new InetSocketAddress(host, port), timeoutMs);
    socket = opened;
    in = new java.io.BufferedInputStream(opened.getInputStream(), 1 << 16);
    connections++;
  }

  private void disconnect() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing is all we wanted
      }
      socket = null;
      in = null;
    }
  }

  @Override
  public void close() {
    disconnect();
    writer.shutdownNow();
  }
}
