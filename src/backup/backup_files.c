/*
 * backup_files.c
 *		One backup's files: items.copy and manifest.json.
 *
 * A backup directory holds the items of one table as items.copy, a file in
 * PostgreSQL's binary COPY format of a single column of type dynamo.item
 * (the signature, flags and an empty header extension; per item the field
 * count 1, the length and the item's send format, which is its stored
 * format; the trailer -1), and manifest.json, written last: the format
 * version, the table, the item count, DynamoDB's size of the items, the size
 * in bytes of items.copy and its SHA-256.  The manifest is written to a
 * temporary name and renamed durably (fsync of the file, the rename and the
 * directory), so a directory with a manifest holds a complete, fsynced
 * items.copy, and one without is an interrupted write that is simply
 * written again.
 *
 * BackupFilesWrite scans the relation with the table access method under
 * the active snapshot: no user code runs (no executor, no triggers, no
 * policies), and nothing is written to WAL.  BackupFilesSeal checks an
 * items.copy written elsewhere (COPY ... TO STDOUT (FORMAT binary) of a
 * private instance) item by item and writes its manifest; BackupFilesWrite
 * seals what it wrote the same way, so every backup's file is read back
 * and checked before it counts as written.  BackupFilesLoad
 * checks the manifest and the whole file against it (size, SHA-256) before
 * it inserts anything, then loads it with COPY FROM's own machinery reading
 * the file through a callback, as the current user: the caller runs it as
 * the table's owner, so a trigger the owner put on the new table never runs
 * with the rights of whoever calls this (and no server-file privilege is
 * needed).  COPY checks every item again (dynamo.item's receive function and
 * the access method).
 *
 * Exports read items the same two ways, without a copy: BackupScanItems is
 * BackupFilesWrite's scan with a callback per item, and BackupFilesRead
 * gives a sealed directory's items to a callback once the directory has
 * passed BackupFilesLoad's checks.
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "backup/backup.h"
#include "commands/copy.h"
#include "common/file_perm.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "catalog.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "item.h"
#include "json_write.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "port/pg_bswap.h"
#include "storage/fd.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#define DYNAMO_BACKUP_FORMAT		1
#define BACKUP_ITEMS_FILE			"items.copy"
#define BACKUP_MANIFEST_FILE		"manifest.json"
#define BACKUP_MANIFEST_MAX			65536
#define BACKUP_IO_BUFFER			65536
/*
 * Longest stored item read back: a valid one is at most a few times its
 * DynamoDB size of 400 KB (the stored format's lengths and types); a longer
 * length is damage, never an allocation.
 */
#define BACKUP_MAX_STORED_ITEM		(16 * 1024 * 1024)

/* The binary COPY signature, flags and header extension length. */
static const char copy_signature[11] = "PGCOPY\n\377\r\n\0";
#define COPY_HEADER_LEN		(sizeof(copy_signature) + 8)

/* A file being written through a buffer. */
typedef struct BackupWriter
{
	const char *path;
	int			fd;
	uint64		bytes;
	int			used;
	char		buf[BACKUP_IO_BUFFER];
} BackupWriter;

/* What a manifest says of its items file. */
typedef struct BackupManifest
{
	int64		format;
	uint64		item_count;
	uint64		size_bytes;
	uint64		file_bytes;
	char		sha256[PG_SHA256_DIGEST_STRING_LENGTH];
} BackupManifest;

/* An error about a backup file that is not what it should be (dir as under dynamo.backup_directory). */
static void pg_attribute_noreturn()
corrupted(const char *dir, const char *detail)
{
	size_t		n = DynamoBackupDirectory ? strlen(DynamoBackupDirectory) : 0;

	if (n > 0 && strncmp(dir, DynamoBackupDirectory, n) == 0 && dir[n] == '/')
		dir += n + 1;
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("backup %s is damaged: %s", dir, detail)));
}

/* A SHA-256 context (needs a resource owner: a transaction is open). */
static pg_cryptohash_ctx *
sha_begin(void)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize SHA-256");
	return ctx;
}

/* Add bytes to a SHA-256. */
static void
sha_add(pg_cryptohash_ctx *ctx, const char *data, size_t len)
{
	if (pg_cryptohash_update(ctx, (const uint8 *) data, len) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
}

/* Finish a SHA-256 as hex into out. */
static void
sha_end(pg_cryptohash_ctx *ctx, char *out)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];

	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	for (int i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

/* The path of a file of a backup directory. */
static char *
backup_file(const char *dir, const char *name)
{
	return psprintf("%s/%s", dir, name);
}

/* Open a file for writing (truncated). */
static void
writer_open(BackupWriter *w, const char *path)
{
	w->path = path;
	w->fd = OpenTransientFile(path, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
	if (w->fd < 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not create file \"%s\": %m", path)));
	w->bytes = 0;
	w->used = 0;
}

/* Write out what the buffer holds. */
static void
writer_flush(BackupWriter *w)
{
	char	   *p = w->buf;
	int			left = w->used;

	while (left > 0)
	{
		ssize_t		n = write(w->fd, p, left);

		if (n <= 0)
		{
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				errno = ENOSPC;
			ereport(ERROR, (errcode_for_file_access(),
							errmsg("could not write file \"%s\": %m", w->path)));
		}
		p += n;
		left -= n;
	}
	w->used = 0;
}

/* Append bytes to a file being written. */
static void
writer_put(BackupWriter *w, const char *data, size_t len)
{
	w->bytes += len;
	while (len > 0)
	{
		size_t		n = Min(len, (size_t) (BACKUP_IO_BUFFER - w->used));

		memcpy(w->buf + w->used, data, n);
		w->used += n;
		data += n;
		len -= n;
		if (w->used == BACKUP_IO_BUFFER)
			writer_flush(w);
	}
}

/* Append a network-order integer of 2 or 4 bytes. */
static void
writer_put_int(BackupWriter *w, int32 value, int size)
{
	uint16		v16 = pg_hton16((uint16) value);
	uint32		v32 = pg_hton32((uint32) value);

	writer_put(w, size == 2 ? (char *) &v16 : (char *) &v32, size);
}

/* Flush, fsync and close a file. */
static void
writer_close(BackupWriter *w)
{
	writer_flush(w);
	if (pg_fsync(w->fd) != 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not fsync file \"%s\": %m", w->path)));
	if (CloseTransientFile(w->fd) != 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not close file \"%s\": %m", w->path)));
}

/* Write the binary COPY header. */
static void
write_copy_header(BackupWriter *w)
{
	writer_put(w, copy_signature, sizeof(copy_signature));
	writer_put_int(w, 0, 4);	/* flags */
	writer_put_int(w, 0, 4);	/* header extension */
}

/* Write one item as a tuple of one field. */
static void
write_copy_item(BackupWriter *w, const char *data, size_t len)
{
	writer_put_int(w, 1, 2);
	writer_put_int(w, (int32) len, 4);
	writer_put(w, data, len);
}

/* Write manifest.json last, durably (temporary name, fsync, rename). */
static void
write_manifest(const char *dir, const char *table_name, const char *table_id,
			   const BackupManifest *m)
{
	StringInfoData text;
	JsonWriter	jw;
	BackupWriter *w = palloc(sizeof(BackupWriter));
	char	   *tmp = backup_file(dir, BACKUP_MANIFEST_FILE ".tmp");

	initStringInfo(&text);
	JsonWriterInit(&jw, &text);
	JsonWriteObjectStart(&jw);
	JsonWriteKey(&jw, "format_version");
	JsonWriteInt64(&jw, DYNAMO_BACKUP_FORMAT);
	JsonWriteKey(&jw, "table_name");
	table_name ? JsonWriteCString(&jw, table_name) : JsonWriteNull(&jw);
	JsonWriteKey(&jw, "table_id");
	table_id ? JsonWriteCString(&jw, table_id) : JsonWriteNull(&jw);
	JsonWriteKey(&jw, "item_count");
	JsonWriteInt64(&jw, (int64) m->item_count);
	JsonWriteKey(&jw, "size_bytes");
	JsonWriteInt64(&jw, (int64) m->size_bytes);
	JsonWriteKey(&jw, "items_file_bytes");
	JsonWriteInt64(&jw, (int64) m->file_bytes);
	JsonWriteMemberCString(&jw, "items_sha256", m->sha256);
	JsonWriteMemberCString(&jw, "created", timestamptz_to_str(GetCurrentTimestamp()));
	JsonWriteObjectEnd(&jw);
	appendStringInfoChar(&text, '\n');
	writer_open(w, tmp);
	writer_put(w, text.data, text.len);
	writer_close(w);
	if (durable_rename(tmp, backup_file(dir, BACKUP_MANIFEST_FILE), ERROR) != 0)
		elog(ERROR, "could not rename \"%s\"", tmp);
	pfree(w);
}

/* Forget an earlier manifest, so an interrupted rewrite is never taken as sealed. */
static void
remove_manifest(const char *dir)
{
	char	   *path = backup_file(dir, BACKUP_MANIFEST_FILE);

	if (unlink(path) != 0 && errno != ENOENT)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not remove file \"%s\": %m", path)));
	fsync_fname(dir, true);
}

/* Give every item of the relation, as the active snapshot sees it, to func. */
static void
scan_relation_items(Relation rel, BackupItemFunc func, void *arg)
{
	TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	MemoryContext per_item = AllocSetContextCreate(CurrentMemoryContext, "backup item",
												   ALLOCSET_DEFAULT_SIZES);

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		d;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		d = slot_getattr(slot, 1, &isnull);
		if (isnull)
			continue;
		old = MemoryContextSwitchTo(per_item);
		{
			DynItem    *item = DatumGetDynItemP(d);

			func(DynItemMap(item), VARSIZE_ANY_EXHDR(item), arg);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(per_item);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	MemoryContextDelete(per_item);
}

/* Where the items a backup writes go, and what it counts of them. */
typedef struct ItemsOut
{
	BackupWriter *w;
	BackupFileStats *stats;
} ItemsOut;

/* Write one item of a scan to items.copy, counting and sizing it. */
static void
write_scanned_item(const char *map, size_t len, void *arg)
{
	ItemsOut   *out = arg;

	write_copy_item(out->w, map, len);
	out->stats->size_bytes += StoredItemSize(map);
	out->stats->item_count++;
}

/* Check the items file of dir and write its manifest (with the table when known). */
static void seal(const char *dir, const char *table_name, const char *table_id,
				 BackupFileStats *stats);

/*
 * Refuse a relation that is not a dynamo table (a table owner may register
 * any relation of its own, a heap table or a view, in dynamo.tables): only
 * the access method's relations hold checked items in column 1.
 */
static void
require_dynamo_relation(Relation rel, const char *table_name)
{
	if (!CatalogIsDynamoRelation(RelationGetRelid(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("relation \"%s\" of table %s is not a dynamo table",
						RelationGetRelationName(rel), table_name)));
}

void
BackupScanItems(Oid relid, const char *table_name, BackupItemFunc func, void *arg)
{
	Relation	rel = table_open(relid, AccessShareLock);

	require_dynamo_relation(rel, table_name);
	scan_relation_items(rel, func, arg);
	table_close(rel, AccessShareLock);
}

void
BackupFilesWrite(Oid relid, const char *table_name, const char *table_id, const char *dir,
				 BackupFileStats *stats)
{
	BackupWriter *w = palloc(sizeof(BackupWriter));
	BackupFileStats written = {0};
	ItemsOut	out = {w, &written};

	remove_manifest(dir);
	writer_open(w, backup_file(dir, BACKUP_ITEMS_FILE));
	write_copy_header(w);
	BackupScanItems(relid, table_name, write_scanned_item, &out);
	writer_put_int(w, -1, 2);
	writer_close(w);
	pfree(w);
	/* read back what was written, as a file from elsewhere is: then sealed */
	seal(dir, table_name, table_id, stats);
	if (stats->item_count != written.item_count || stats->size_bytes != written.size_bytes)
		corrupted(dir, BACKUP_ITEMS_FILE " changed while it was written");
}

/* A file being read through a buffer, hashed as it goes. */
typedef struct BackupReader
{
	const char *dir;
	const char *path;
	int			fd;
	pg_cryptohash_ctx *sha;
	uint64		bytes;
	int			len;
	int			pos;
	char		buf[BACKUP_IO_BUFFER];
} BackupReader;

/* Open a file of a backup for reading. */
static void
reader_open(BackupReader *r, const char *dir, const char *name)
{
	r->dir = dir;
	r->path = backup_file(dir, name);
	r->fd = OpenTransientFile(r->path, O_RDONLY | PG_BINARY);
	if (r->fd < 0)
	{
		if (errno == ENOENT)
			corrupted(dir, psprintf("%s is missing", name));
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not open file \"%s\": %m", r->path)));
	}
	r->sha = sha_begin();
	r->bytes = 0;
	r->len = r->pos = 0;
}

/* Read up to len bytes into out; returns how many (0 at the end). */
static size_t
reader_get(BackupReader *r, char *out, size_t len)
{
	size_t		done = 0;

	while (done < len)
	{
		size_t		n;

		if (r->pos == r->len)
		{
			ssize_t		got;

			CHECK_FOR_INTERRUPTS();
			got = read(r->fd, r->buf, BACKUP_IO_BUFFER);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				ereport(ERROR, (errcode_for_file_access(),
								errmsg("could not read file \"%s\": %m", r->path)));
			if (got == 0)
				break;
			sha_add(r->sha, r->buf, got);
			r->bytes += got;
			r->len = (int) got;
			r->pos = 0;
		}
		n = Min(len - done, (size_t) (r->len - r->pos));
		memcpy(out + done, r->buf + r->pos, n);
		r->pos += n;
		done += n;
	}
	return done;
}

/* Read exactly len bytes, or say that the file ends too early. */
static void
reader_need(BackupReader *r, char *out, size_t len)
{
	if (reader_get(r, out, len) != len)
		corrupted(r->dir, BACKUP_ITEMS_FILE " is truncated");
}

/* Read a network-order integer of 2 or 4 bytes. */
static int32
reader_int(BackupReader *r, int size)
{
	uint16		v16;
	uint32		v32;

	if (size == 2)
	{
		reader_need(r, (char *) &v16, 2);
		return (int16) pg_ntoh16(v16);
	}
	reader_need(r, (char *) &v32, 4);
	return (int32) pg_ntoh32(v32);
}

/* Close a file read to its end; its SHA-256 into sha. */
static void
reader_close(BackupReader *r, char *sha)
{
	char		rest[BACKUP_IO_BUFFER];

	/* (the hash covers the whole file) */
	while (reader_get(r, rest, sizeof(rest)) > 0)
		;
	CloseTransientFile(r->fd);
	sha_end(r->sha, sha);
}

/* Check the binary COPY header of one dynamo.item column. */
static void
check_copy_header(BackupReader *r)
{
	char		sig[sizeof(copy_signature)];
	int32		ext;

	reader_need(r, sig, sizeof(sig));
	if (memcmp(sig, copy_signature, sizeof(sig)) != 0)
		corrupted(r->dir, BACKUP_ITEMS_FILE " is not a binary COPY file");
	if (reader_int(r, 4) != 0)
		corrupted(r->dir, BACKUP_ITEMS_FILE " has unknown COPY flags");
	ext = reader_int(r, 4);
	if (ext < 0)
		corrupted(r->dir, BACKUP_ITEMS_FILE " has an invalid COPY header extension");
	for (int32 i = 0; i < ext; i++)
	{
		char		c;

		reader_need(r, &c, 1);
	}
}

/*
 * Read and check every item of items.copy, counting and sizing them; each
 * valid one to func, when given (the item's bytes are reused after it).
 */
static void
check_copy_items(BackupReader *r, BackupFileStats *stats, BackupItemFunc func, void *arg)
{
	size_t		room = BACKUP_IO_BUFFER;
	char	   *item = palloc(room);
	MemoryContext per_item = func ? AllocSetContextCreate(CurrentMemoryContext, "backup item",
														  ALLOCSET_DEFAULT_SIZES) : NULL;

	for (;;)
	{
		int32		fields = reader_int(r, 2);
		int32		len;
		unsigned long long n = (unsigned long long) stats->item_count + 1;

		if (fields == -1)
			break;
		if (fields != 1)
			corrupted(r->dir, psprintf("item %llu of " BACKUP_ITEMS_FILE " has %d fields", n, fields));
		len = reader_int(r, 4);
		if (len < 0 || len > BACKUP_MAX_STORED_ITEM)
			corrupted(r->dir, psprintf("item %llu of " BACKUP_ITEMS_FILE " has an invalid length", n));
		if ((size_t) len > room)
		{
			room = len;
			item = repalloc(item, room);
		}
		reader_need(r, item, len);
		if (!StoredItemValidate(item, len) || StoredItemSize(item) > DYNAMO_MAX_ITEM_SIZE)
			corrupted(r->dir, psprintf("item %llu of " BACKUP_ITEMS_FILE " is not a valid item", n));
		stats->size_bytes += StoredItemSize(item);
		stats->item_count++;
		if (func)
		{
			MemoryContext old = MemoryContextSwitchTo(per_item);

			func(item, len, arg);
			MemoryContextSwitchTo(old);
			MemoryContextReset(per_item);
		}
	}
	/* nothing follows the trailer */
	if (reader_get(r, item, 1) != 0)
		corrupted(r->dir, BACKUP_ITEMS_FILE " holds data after its trailer");
	pfree(item);
	if (per_item)
		MemoryContextDelete(per_item);
}

static void
seal(const char *dir, const char *table_name, const char *table_id, BackupFileStats *stats)
{
	BackupReader *r = palloc(sizeof(BackupReader));
	BackupManifest m = {0};

	stats->item_count = stats->size_bytes = 0;
	remove_manifest(dir);
	reader_open(r, dir, BACKUP_ITEMS_FILE);
	check_copy_header(r);
	check_copy_items(r, stats, NULL, NULL);
	m.file_bytes = r->bytes;
	reader_close(r, m.sha256);
	m.item_count = stats->item_count;
	m.size_bytes = stats->size_bytes;
	write_manifest(dir, table_name, table_id, &m);
	pfree(r);
}

void
BackupFilesSeal(const char *dir, BackupFileStats *stats)
{
	seal(dir, NULL, NULL, stats);
}

/* Parse manifest text; a damaged backup when it is not a JSON object. */
static json_object *
parse_manifest(const char *dir, const char *text, size_t len)
{
	json_object *root = JsonParseOrNull(text, len);

	if (root == NULL || !json_object_is_type(root, json_type_object))
		corrupted(dir, BACKUP_MANIFEST_FILE " is not a JSON object");
	return root;
}

/* A non-negative integer member of the manifest. */
static int64
manifest_int(const char *dir, json_object *root, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(root, name, &v) || !json_object_is_type(v, json_type_int) ||
		json_object_get_int64(v) < 0)
		corrupted(dir, psprintf(BACKUP_MANIFEST_FILE " has no valid \"%s\"", name));
	return json_object_get_int64(v);
}

/* Read manifest.json of a sealed directory and check its format. */
static void
read_manifest(const char *dir, BackupManifest *m)
{
	BackupReader *r = palloc(sizeof(BackupReader));
	char	   *text = palloc(BACKUP_MANIFEST_MAX + 1);
	char		sha[PG_SHA256_DIGEST_STRING_LENGTH];
	size_t		len;
	json_object *root;
	json_object *v;
	const char *hex;

	reader_open(r, dir, BACKUP_MANIFEST_FILE);
	len = reader_get(r, text, BACKUP_MANIFEST_MAX + 1);
	reader_close(r, sha);
	if (len > BACKUP_MANIFEST_MAX)
		corrupted(dir, BACKUP_MANIFEST_FILE " is too large");
	root = parse_manifest(dir, text, len);
	m->format = manifest_int(dir, root, "format_version");
	if (m->format != DYNAMO_BACKUP_FORMAT)
		corrupted(dir, psprintf(BACKUP_MANIFEST_FILE " has format version %lld; this server reads version %d",
								(long long) m->format, DYNAMO_BACKUP_FORMAT));
	m->item_count = manifest_int(dir, root, "item_count");
	m->size_bytes = manifest_int(dir, root, "size_bytes");
	m->file_bytes = manifest_int(dir, root, "items_file_bytes");
	hex = json_object_object_get_ex(root, "items_sha256", &v) && json_object_is_type(v, json_type_string) ?
		json_object_get_string(v) : "";
	if (strlen(hex) != PG_SHA256_DIGEST_STRING_LENGTH - 1 ||
		strspn(hex, "0123456789abcdef") != PG_SHA256_DIGEST_STRING_LENGTH - 1)
		corrupted(dir, BACKUP_MANIFEST_FILE " has no valid \"items_sha256\"");
	strlcpy(m->sha256, hex, sizeof(m->sha256));
	pfree(text);
	pfree(r);
}

/*
 * Check items.copy against the manifest: its size, then every item and the
 * SHA-256 of the whole file, and the count.
 */
static void
check_items_file(const char *dir, const BackupManifest *m)
{
	char	   *path = backup_file(dir, BACKUP_ITEMS_FILE);
	struct stat st;
	BackupReader *r = palloc(sizeof(BackupReader));
	BackupFileStats stats = {0};
	char		sha[PG_SHA256_DIGEST_STRING_LENGTH];

	if (stat(path, &st) != 0)
	{
		if (errno == ENOENT)
			corrupted(dir, BACKUP_ITEMS_FILE " is missing");
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not stat file \"%s\": %m", path)));
	}
	if ((uint64) st.st_size != m->file_bytes)
		corrupted(dir, psprintf(BACKUP_ITEMS_FILE " has %llu bytes; its manifest says %llu",
								(unsigned long long) st.st_size,
								(unsigned long long) m->file_bytes));
	reader_open(r, dir, BACKUP_ITEMS_FILE);
	PG_TRY();
	{
		check_copy_header(r);
		check_copy_items(r, &stats, NULL, NULL);
	}
	PG_CATCH();
	{
		/* (the checksum names the damage first, when it is not a forgery) */
		reader_close(r, sha);
		if (strcmp(sha, m->sha256) != 0)
		{
			FlushErrorState();
			corrupted(dir, BACKUP_ITEMS_FILE " does not match the checksum in its manifest");
		}
		PG_RE_THROW();
	}
	PG_END_TRY();
	reader_close(r, sha);
	if (strcmp(sha, m->sha256) != 0)
		corrupted(dir, BACKUP_ITEMS_FILE " does not match the checksum in its manifest");
	if (stats.item_count != m->item_count)
		corrupted(dir, psprintf(BACKUP_ITEMS_FILE " holds %llu items; its manifest says %llu",
								(unsigned long long) stats.item_count,
								(unsigned long long) m->item_count));
	pfree(r);
}

uint64
BackupFilesRead(const char *dir, BackupItemFunc func, void *arg)
{
	BackupManifest m;
	BackupReader *r = palloc(sizeof(BackupReader));
	BackupFileStats stats = {0};
	char		sha[PG_SHA256_DIGEST_STRING_LENGTH];

	read_manifest(dir, &m);
	check_items_file(dir, &m);
	reader_open(r, dir, BACKUP_ITEMS_FILE);
	check_copy_header(r);
	check_copy_items(r, &stats, func, arg);
	reader_close(r, sha);
	pfree(r);
	/* (changed since it was checked: what func was given is the caller's to undo) */
	if (strcmp(sha, m.sha256) != 0 || stats.item_count != m.item_count)
		corrupted(dir, BACKUP_ITEMS_FILE " changed while it was read");
	return stats.item_count;
}

/* The file COPY FROM reads (BackupFilesLoad). */
static BackupReader *copy_source = NULL;

/* COPY FROM's data source: the next bytes of copy_source. */
static int
copy_source_read(void *outbuf, int minread, int maxread)
{
	return (int) reader_get(copy_source, outbuf, maxread);
}

/* COPY the items file of dir into rel (binary, the item column), as the current user. */
static uint64
copy_items_into(Relation rel, const char *dir, char *sha)
{
	ParseState *pstate = make_parsestate(NULL);
	BackupReader *r = palloc(sizeof(BackupReader));
	uint64		loaded = 0;

	addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
	reader_open(r, dir, BACKUP_ITEMS_FILE);
	copy_source = r;
	PG_TRY();
	{
		CopyFromState cstate;

		cstate = BeginCopyFrom(pstate, rel, NULL, NULL, false, copy_source_read,
							   list_make1(makeString(pstrdup("item"))),
							   list_make1(makeDefElem("format", (Node *) makeString(pstrdup("binary")), -1)));
		loaded = CopyFrom(cstate);
		EndCopyFrom(cstate);
	}
	PG_FINALLY();
	{
		copy_source = NULL;
	}
	PG_END_TRY();
	reader_close(r, sha);
	pfree(r);
	free_parsestate(pstate);
	return loaded;
}

uint64
BackupFilesLoad(const char *dir, Oid relid)
{
	BackupManifest m;
	Relation	rel;
	uint64		loaded;
	char		sha[PG_SHA256_DIGEST_STRING_LENGTH];

	read_manifest(dir, &m);
	check_items_file(dir, &m);
	rel = table_open(relid, RowExclusiveLock);
	loaded = copy_items_into(rel, dir, sha);
	table_close(rel, NoLock);
	/* (changed since it was checked: the load is rolled back with the error) */
	if (strcmp(sha, m.sha256) != 0)
		corrupted(dir, BACKUP_ITEMS_FILE " changed while it was loaded");
	if (loaded != m.item_count)
		corrupted(dir, psprintf(BACKUP_ITEMS_FILE " holds %llu items; its manifest says %llu",
								(unsigned long long) loaded, (unsigned long long) m.item_count));
	return loaded;
}

/* A directory to remove at commit, and the subtransaction that asked. */
typedef struct PendingRemoval
{
	char	   *dir;
	SubTransactionId subxid;
} PendingRemoval;

static List *pending_removals = NIL;
static bool removal_callbacks = false;

/* At commit, remove the directories asked for; at abort, forget them. */
static void
removal_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT && event != XACT_EVENT_PREPARE)
		return;
	foreach(lc, pending_removals)
	{
		PendingRemoval *p = lfirst(lc);

		if (event == XACT_EVENT_COMMIT && !rmtree(p->dir, true))
			ereport(WARNING, (errmsg("could not remove backup directory \"%s\"", p->dir)));
		pfree(p->dir);
	}
	list_free_deep(pending_removals);
	pending_removals = NIL;
}

/* A subtransaction's removals pass to its parent, or go with its abort. */
static void
removal_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	foreach(lc, pending_removals)
	{
		PendingRemoval *p = lfirst(lc);

		if (p->subxid != mySubid)
			continue;
		if (event == SUBXACT_EVENT_COMMIT_SUB)
			p->subxid = parentSubid;
		else if (event == SUBXACT_EVENT_ABORT_SUB)
		{
			pfree(p->dir);
			pending_removals = foreach_delete_current(pending_removals, lc);
		}
	}
}

void
BackupFilesRemoveAtCommit(const char *dir)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	PendingRemoval *p = palloc(sizeof(PendingRemoval));

	if (!removal_callbacks)
	{
		RegisterXactCallback(removal_xact_callback, NULL);
		RegisterSubXactCallback(removal_subxact_callback, NULL);
		removal_callbacks = true;
	}
	p->dir = pstrdup(dir);
	p->subxid = GetCurrentSubTransactionId();
	pending_removals = lappend(pending_removals, p);
	MemoryContextSwitchTo(old);
}

void
BackupFilesRemove(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0 && errno == ENOENT)
		return;
	if (!rmtree(dir, true))
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not remove directory \"%s\"", dir)));
}
