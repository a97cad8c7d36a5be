package dev.fetchbus.verticles.files;

import java.util.Locale;

/**
 * A file could not be stored: a write, sync, close or rename failed, or the file on disk is shorter than what was
 * written to it. Its message says which file and why, in the operating system's words.
 */
public final class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True when the volume is out of space or quota (ENOSPC, EDQUOT), as opposed to another I/O error. */
  public boolean full() {
    for (Throwable t = this; t != null; t = t.getCause()) {
      String text = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (text.contains("no space left") || text.contains("quota exceeded")) {
        return true;
      }
    }
    return false;
  }
}
