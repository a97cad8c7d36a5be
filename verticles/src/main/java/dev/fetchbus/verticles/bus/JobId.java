package dev.fetchbus.verticles.bus;

import java.util.UUID;

/**
 * Job ids in their one canonical form (lower-case UUID). Ids arrive in URL paths and messages as typed; map keys,
 * event addresses and file names are built only from the canonical form, so {@code ABC…} and {@code abc…} are
 * one job everywhere.
 */
public final class JobId {
  private JobId() {
  }

  /** The canonical form; NOT_FOUND for anything that is not a UUID (no job has such an id). */
  public static String canonical(String id) {
    return parse(id).toString();
  }

  /** The id as a UUID; NOT_FOUND for anything that is not one. */
  public static UUID parse(String id) {
    try {
      return UUID.fromString(id == null ? "" : id.trim());
    } catch (IllegalArgumentException e) {
      throw FailureCode.NOT_FOUND.exception("job " + id + " not found");
    }
  }
}
