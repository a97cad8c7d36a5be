package dev.fetchbus.verticles.files;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Counts a body's bytes and digests them with SHA-256 as they stream past. */
public final class BodyDigest {
  private final MessageDigest sha256;
  private long bytes;

  public BodyDigest() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public void update(Buffer chunk) {
    bytes += chunk.length();
    // The chunk's own bytes, not getBytes()'s copy: a 2 GiB body would copy and collect 2 GiB more.
    sha256.update(((BufferInternal) chunk).getByteBuf().nioBuffer());
  }

  public long bytes() {
    return bytes;
  }

  /** The digest in lower-case hex; call once, at the end. */
  public String hex() {
    return HexFormat.of().formatHex(sha256.digest());
  }
}
