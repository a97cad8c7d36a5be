package dev.fetchbus.verticles.store;

import dev.fetchbus.verticles.bus.FailureCode;
import dev.fetchbus.verticles.bus.Upload;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/** The SQL of uploads' metadata. The files themselves belong to the HTTP verticle. */
public final class UploadStore {
  private static final String COLUMNS = "id, bytes, sha256, content_type, created_at, missing_at";
  private static final String INSERT_UPLOAD =
      "INSERT INTO uploads (id, bytes, sha256, content_type) VALUES ($1, $2, $3, $4) RETURNING " + COLUMNS;
  private static final String SELECT_UPLOAD = "SELECT " + COLUMNS + " FROM uploads WHERE id = $1";
  private static final String DELETE_UPLOAD = "DELETE FROM uploads WHERE id = $1 RETURNING " + COLUMNS;
  private static final String SELECT_KNOWN = "SELECT id FROM uploads WHERE id = ANY($1)";
  private static final String SELECT_PRESENT_IDS =
      "SELECT id FROM uploads WHERE missing_at IS NULL AND ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2";
  private static final String MARK_MISSING =
      "UPDATE uploads SET missing_at = now() WHERE id = ANY($1) AND missing_at IS NULL";

  private final Pool pool;

  public UploadStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Upload> create(Upload upload) {
    return pool.preparedQuery(INSERT_UPLOAD)
        .execute(Tuple.of(UUID.fromString(upload.id()), upload.bytes(), upload.sha256(), upload.contentType()))
        .map(rows -> upload(rows.iterator().next()));
  }

  public Future<Upload> get(UUID id) {
    return pool.preparedQuery(SELECT_UPLOAD).execute(Tuple.of(id)).map(rows -> single(rows, id));
  }

  /** Deletes the row and returns what it held; NOT_FOUND if there was none. */
  public Future<Upload> delete(UUID id) {
    return pool.preparedQuery(DELETE_UPLOAD).execute(Tuple.of(id)).map(rows -> single(rows, id));
  }

  /** Which of {@code ids} have a row, in one query. */
  public Future<List<String>> known(UUID[] ids) {
    return pool.preparedQuery(SELECT_KNOWN).execute(Tuple.tuple().addArrayOfUUID(ids)).map(JobStore::ids);
  }

  /** Up to {@code limit} ids of uploads not marked missing, after {@code after} (null: from the first), in order. */
  public Future<List<String>> presentIds(UUID after, int limit) {
    return pool.preparedQuery(SELECT_PRESENT_IDS).execute(Tuple.of(after, limit)).map(JobStore::ids);
  }

  /** Marks uploads whose file is gone; returns how many were not marked before. */
  public Future<Integer> markMissing(UUID[] ids) {
    return pool.preparedQuery(MARK_MISSING).execute(Tuple.tuple().addArrayOfUUID(ids)).map(RowSet::rowCount);
  }

  private static Upload single(RowSet<Row> rows, UUID id) {
    if (rows.size() == 0) {
      throw FailureCode.NOT_FOUND.exception("upload " + id + " not found");
    }
    return upload(rows.iterator().next());
  }

  private static Upload upload(Row row) {
    return new Upload(row.getUUID("id").toString(), row.getLong("bytes"), row.getString("sha256"),
        row.getString("content_type"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("missing_at"));
  }
}
