-- PostgreSQL only (docs/cluster.md, "Signals between workers"): what one worker writes, the others hear.
-- NOTIFY is sent when the transaction commits, once per distinct payload in it; the triggers also cover
-- writes that do not come through the server (raw SQL, psql).

-- Session and SessionMetadata: any write makes every worker drop its read cache (server/read-cache.ts).
CREATE FUNCTION sb_notify_cache() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sb_cache', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER "Session_notify_cache" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Session"
  FOR EACH STATEMENT EXECUTE FUNCTION sb_notify_cache();
CREATE TRIGGER "SessionMetadata_notify_cache" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "SessionMetadata"
  FOR EACH STATEMENT EXECUTE FUNCTION sb_notify_cache();

-- SessionOwner: who runs a session, at which epoch, and its live status; {"session", "deleted": true} once
-- the row is gone. An update that changes none of those says nothing.
CREATE FUNCTION sb_notify_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD."sessionName" <> NEW."sessionName") THEN
    PERFORM pg_notify('sb_owner', json_build_object('session', OLD."sessionName", 'deleted', true)::text);
    IF TG_OP = 'DELETE' THEN
      RETURN NULL;
    END IF;
  ELSIF TG_OP = 'UPDATE' AND (OLD."workerId", OLD.epoch, OLD.status) IS NOT DISTINCT FROM (NEW."workerId", NEW.epoch, NEW.status) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('sb_owner', json_build_object(
    'session', NEW."sessionName", 'workerId', NEW."workerId", 'epoch', NEW.epoch, 'status', NEW.status)::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER "SessionOwner_notify" AFTER INSERT OR UPDATE OR DELETE ON "SessionOwner"
  FOR EACH ROW EXECUTE FUNCTION sb_notify_owner();

-- Worker: the id of a worker that joined, left, or changed what peers route by. Heartbeats (leaseUntil,
-- heartbeatAt) say nothing: a lease that lapses is no write at all, so peers time leases themselves.
CREATE FUNCTION sb_notify_worker() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sb_worker', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  RETURN NULL;
END
$$;

CREATE TRIGGER "Worker_notify_membership" AFTER INSERT OR DELETE ON "Worker"
  FOR EACH ROW EXECUTE FUNCTION sb_notify_worker();
CREATE TRIGGER "Worker_notify_change" AFTER UPDATE OF draining, url, capacity, incarnation ON "Worker"
  FOR EACH ROW
  WHEN ((OLD.draining, OLD.url, OLD.capacity, OLD.incarnation) IS DISTINCT FROM (NEW.draining, NEW.url, NEW.capacity, NEW.incarnation))
  EXECUTE FUNCTION sb_notify_worker();

-- @socket.io/postgres-adapter (live push across workers): a message over 8000 bytes travels as a row here
-- and its NOTIFY carries only the row's id. The adapter deletes rows older than 30 s itself. The table is
-- the adapter's, not the model's (server/db-schema.test.ts leaves it out of the drift check).
CREATE TABLE socket_io_attachments (
  id bigserial UNIQUE,
  created_at timestamptz DEFAULT NOW(),
  payload bytea
);
