-- PostgreSQL only: live push across workers no longer uses the Socket.IO PostgreSQL adapter (docs/cluster.md,
-- "Live push across workers"), so the table it kept large messages in goes.
DROP TABLE IF EXISTS socket_io_attachments;
