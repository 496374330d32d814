/*
 * compress.c
 *		Files read as one stream of bytes, decompressed (GZIP, ZSTD or
 *		none); gzip files written with the MD5 S3 would give them.
 *
 * Reading: a GZIP file may hold several members one after another (as
 * `cat a.gz b.gz` makes): each is inflated in turn.  A ZSTD file may hold
 * several frames; libzstd's streaming decoder reads them all.  Data that
 * does not decompress, or stops inside a member or frame, is an error that
 * names the file.  An empty file is an empty stream in every format.
 * Memory is bounded: zlib allocates from the stream's memory context, the
 * zstd window is capped (ZSTD_d_windowLogMax), and lines are read with a
 * maximum length, past which the rest of the line is skipped unstored.
 *
 * Writing: a gzip stream (deflate, level 6) whose bytes are hashed (MD5) as
 * they reach the disk, so the manifest's md5Checksum and etag need no second
 * read; files are new (O_EXCL, mode 0600) and fsynced with their directory
 * when closed.
 *
 * Descriptors and libzstd's state are released by a reset callback of the
 * memory context the stream or file was made in, so an error anywhere
 * leaks nothing; closing releases them at once.  The MD5 context of a file
 * being written is the resource owner's (pg_cryptohash), released by it
 * when the transaction aborts.
 */
#include "postgres.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "common/base64.h"
#include "common/cryptohash.h"
#include "common/md5.h"
#include "errors.h"
#include "exchange/exchange.h"
#include "miscadmin.h"

#define COMPRESS_CHUNK		(64 * 1024)
/* Largest zstd window accepted: 2^27 bytes, libzstd's own default cap. */
#define ZSTD_WINDOW_LOG_MAX	27

struct InputStream
{
	int			fd;				/* -1 once closed */
	char	   *name;			/* for messages */
	ExchangeCompression compression;
	MemoryContext cxt;			/* zlib allocates here */
	z_stream	z;
	bool		z_live;			/* inflateInit2 done */
	bool		in_member;		/* GZIP: a member begun, not ended */
	ZSTD_DStream *zs;
	size_t		zret;			/* ZSTD: last result, 0 between frames */
	char	   *in;				/* bytes read from the file */
	size_t		in_len;
	size_t		in_pos;			/* ... consumed so far */
	bool		eof;			/* the file read to its end */
	char	   *out;			/* decompressed bytes for InputStreamReadLine */
	size_t		out_len;
	size_t		out_pos;
	uint64		raw_bytes;
	uint64		bytes;
	uint64		lines;
	uint64		line_bytes;		/* of the line read last, with its newline */
	MemoryContextCallback cb;
};

struct OutputFile
{
	int			fd;				/* -1 once closed */
	char	   *path;
	MemoryContext cxt;
	z_stream	z;
	pg_cryptohash_ctx *md5;
	char	   *buf;
	uint64		bytes;
	MemoryContextCallback cb;
};

/* zlib's allocator: the stream's memory context (NULL when out of memory). */
static voidpf
zlib_alloc(voidpf opaque, uInt items, uInt size)
{
	return MemoryContextAllocExtended((MemoryContext) opaque, (Size) items * size,
									  MCXT_ALLOC_NO_OOM);
}

static void
zlib_free(voidpf opaque, voidpf address)
{
	pfree(address);
}

/* Reset callback: release what the memory context cannot. */
static void
input_release(void *arg)
{
	InputStream *s = arg;

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->zs)
		ZSTD_freeDStream(s->zs);
	s->zs = NULL;
}

/* Raise ValidationException about the stream's file: what is wrong with it. */
static void pg_attribute_noreturn()
input_error(InputStream *s, const char *what)
{
	DynamoError(DYERR_VALIDATION, "Cannot read %s: %s", s->name, what);
}

InputStream *
InputStreamOpen(int fd, const char *path, ExchangeCompression compression)
{
	InputStream *s = palloc0(sizeof(InputStream));

	s->fd = fd;
	s->name = pstrdup(path);
	s->compression = compression;
	s->cxt = CurrentMemoryContext;
	s->cb.func = input_release;
	s->cb.arg = s;
	MemoryContextRegisterResetCallback(s->cxt, &s->cb);
	s->in = palloc(COMPRESS_CHUNK);
	s->out = palloc(COMPRESS_CHUNK);
	if (compression == COMPRESSION_GZIP)
	{
		s->z.zalloc = zlib_alloc;
		s->z.zfree = zlib_free;
		s->z.opaque = s->cxt;
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
			input_error(s, "out of memory for GZIP");
		s->z_live = true;
	}
	else if (compression == COMPRESSION_ZSTD)
	{
		s->zs = ZSTD_createDStream();
		if (s->zs == NULL)
			input_error(s, "out of memory for ZSTD");
		if (ZSTD_isError(ZSTD_DCtx_setParameter(s->zs, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX)))
			input_error(s, "cannot set up ZSTD");
	}
	return s;
}

/* Read the next bytes of the file into s->in; false at its end. */
static bool
read_raw(InputStream *s)
{
	ssize_t		n;

	if (s->eof)
		return false;
	CHECK_FOR_INTERRUPTS();
	do
		n = read(s->fd, s->in, COMPRESS_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		input_error(s, strerror(errno));
	if (n == 0)
	{
		s->eof = true;
		return false;
	}
	s->in_len = n;
	s->in_pos = 0;
	s->raw_bytes += n;
	return true;
}

/* Uncompressed: the file's bytes. */
static size_t
read_none(InputStream *s, char *buf, size_t len)
{
	size_t		n;

	if (s->in_pos == s->in_len && !read_raw(s))
		return 0;
	n = Min(len, s->in_len - s->in_pos);
	memcpy(buf, s->in + s->in_pos, n);
	s->in_pos += n;
	return n;
}

/* GZIP: inflate member after member until some bytes come out, or the end. */
static size_t
read_gzip(InputStream *s, char *buf, size_t len)
{
	size_t		produced = 0;

	while (produced == 0)
	{
		int			ret;

		if (s->in_pos == s->in_len && !read_raw(s))
		{
			if (s->in_member)
				input_error(s, "the file ends inside its GZIP data (truncated)");
			return 0;
		}
		if (!s->in_member)
		{
			if (inflateReset(&s->z) != Z_OK)
				input_error(s, "cannot restart GZIP");
			s->in_member = true;
		}
		s->z.next_in = (Bytef *) s->in + s->in_pos;
		s->z.avail_in = s->in_len - s->in_pos;
		s->z.next_out = (Bytef *) buf;
		s->z.avail_out = len;
		ret = inflate(&s->z, Z_NO_FLUSH);
		s->in_pos = s->in_len - s->z.avail_in;
		produced = len - s->z.avail_out;
		if (ret == Z_STREAM_END)
			s->in_member = false;
		else if (ret == Z_MEM_ERROR)
			input_error(s, "out of memory for GZIP");
		else if (ret != Z_OK && ret != Z_BUF_ERROR)
			input_error(s, psprintf("it is not valid GZIP data (%s)",
									s->z.msg ? s->z.msg : "corrupt"));
	}
	return produced;
}

/* ZSTD: decode frame after frame until some bytes come out, or the end. */
static size_t
read_zstd(InputStream *s, char *buf, size_t len)
{
	ZSTD_outBuffer out = {buf, len, 0};

	for (;;)
	{
		ZSTD_inBuffer in;
		size_t		ret;

		if (s->in_pos == s->in_len)
			(void) read_raw(s);
		in.src = s->in + s->in_pos;
		in.size = s->in_len - s->in_pos;
		in.pos = 0;
		if (in.size == 0 && s->zret == 0)
			return 0;			/* the end, between frames */
		ret = ZSTD_decompressStream(s->zs, &out, &in);
		s->in_pos += in.pos;
		if (ZSTD_isError(ret))
			input_error(s, psprintf("it is not valid ZSTD data (%s)", ZSTD_getErrorName(ret)));
		s->zret = ret;
		if (out.pos > 0)
			return out.pos;
		if (in.size == 0)
			input_error(s, "the file ends inside its ZSTD data (truncated)");
	}
}

size_t
InputStreamRead(InputStream *s, char *buf, size_t len)
{
	size_t		n;

	if (s->fd < 0)
		elog(ERROR, "input stream of %s read after it was closed", s->name);
	if (len == 0)
		return 0;
	switch (s->compression)
	{
		case COMPRESSION_GZIP:
			n = read_gzip(s, buf, len);
			break;
		case COMPRESSION_ZSTD:
			n = read_zstd(s, buf, len);
			break;
		default:
			n = read_none(s, buf, len);
			break;
	}
	s->bytes += n;
	return n;
}

bool
InputStreamReadLineOrSkip(InputStream *s, StringInfo line, size_t max_len, bool *too_long)
{
	bool		any = false;

	resetStringInfo(line);
	*too_long = false;
	s->line_bytes = 0;
	for (;;)
	{
		char	   *start;
		char	   *nl;
		size_t		n;

		if (s->out_pos == s->out_len)
		{
			s->out_len = InputStreamRead(s, s->out, COMPRESS_CHUNK);
			s->out_pos = 0;
			if (s->out_len == 0)
			{
				if (any)
					s->lines++;
				return any;
			}
		}
		any = true;
		start = s->out + s->out_pos;
		nl = memchr(start, '\n', s->out_len - s->out_pos);
		n = nl ? (size_t) (nl - start) : s->out_len - s->out_pos;
		if (!*too_long && (size_t) line->len + n > max_len)
		{
			*too_long = true;
			resetStringInfo(line);
		}
		if (!*too_long)
			appendBinaryStringInfo(line, start, n);
		s->out_pos += n + (nl ? 1 : 0);
		s->line_bytes += n + (nl ? 1 : 0);
		if (nl)
		{
			s->lines++;
			return true;
		}
	}
}

bool
InputStreamReadLine(InputStream *s, StringInfo line, size_t max_len)
{
	bool		too_long;
	bool		found = InputStreamReadLineOrSkip(s, line, max_len, &too_long);

	if (too_long)
		input_error(s, psprintf("line " UINT64_FORMAT " is longer than %zu bytes",
								s->lines, max_len));
	return found;
}

uint64
InputStreamLineNumber(InputStream *s)
{
	return s->lines;
}

uint64
InputStreamLineBytes(InputStream *s)
{
	return s->line_bytes;
}

const char *
InputStreamName(InputStream *s)
{
	return s->name;
}

uint64
InputStreamRawBytes(InputStream *s)
{
	return s->raw_bytes;
}

uint64
InputStreamBytes(InputStream *s)
{
	return s->bytes;
}

void
InputStreamClose(InputStream *s)
{
	if (s->z_live)
		inflateEnd(&s->z);
	s->z_live = false;
	input_release(s);
}

/* Reset callback: close a file left open by an error. */
static void
output_release(void *arg)
{
	OutputFile *f = arg;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* Raise the error of a failed write (errno set) to the file at path. */
static void pg_attribute_noreturn()
write_error(const char *path, const char *what)
{
	ereport(ERROR,
			(errcode_for_file_access(),
			 errmsg("could not %s %s: %m", what, ExchangeObjectName(EXCHANGE_EXPORT, path))));
}

/* Write all of data[0..len) to fd (and into md5, when given). */
static void
write_all(int fd, const char *path, const char *data, size_t len, pg_cryptohash_ctx *md5)
{
	if (md5 && pg_cryptohash_update(md5, (const uint8 *) data, len) != 0)
		elog(ERROR, "could not compute MD5: %s", pg_cryptohash_error(md5));
	while (len > 0)
	{
		ssize_t		n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			if (n == 0)
				errno = ENOSPC;
			write_error(path, "write");
		}
		data += n;
		len -= n;
	}
}

/* fsync the directory that holds path, so the new entry lasts. */
static void
fsync_parent(const char *path)
{
	char	   *slash = strrchr(path, '/');
	char	   *dir = slash == NULL ? pstrdup(".") : slash == path ? pstrdup("/") : pnstrdup(path, slash - path);
	int			fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0)
	{
		int			save_errno = errno;

		if (fd >= 0)
			close(fd);
		errno = save_errno;
		write_error(path, "fsync the directory of");
	}
	close(fd);
}

/* A new file at path (O_EXCL, mode 0600): its descriptor. */
static int
create_file(const char *path)
{
	int			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		write_error(path, "create");
	return fd;
}

/* fsync and close fd (closed even when that fails), then its directory. */
static void
finish_file(int fd, const char *path)
{
	if (fsync(fd) != 0)
	{
		int			save_errno = errno;

		close(fd);
		errno = save_errno;
		write_error(path, "fsync");
	}
	if (close(fd) != 0)
		write_error(path, "close");
	fsync_parent(path);
}

OutputFile *
OutputFileCreate(const char *path)
{
	OutputFile *f = palloc0(sizeof(OutputFile));

	f->path = pstrdup(path);
	f->cxt = CurrentMemoryContext;
	f->buf = palloc(COMPRESS_CHUNK);
	f->fd = -1;
	f->cb.func = output_release;
	f->cb.arg = f;
	MemoryContextRegisterResetCallback(f->cxt, &f->cb);
	f->z.zalloc = zlib_alloc;
	f->z.zfree = zlib_free;
	f->z.opaque = f->cxt;
	if (deflateInit2(&f->z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory for gzip")));
	f->fd = create_file(path);
	/* (after the file: an error leaves no MD5 context behind) */
	f->md5 = pg_cryptohash_create(PG_MD5);
	if (f->md5 == NULL || pg_cryptohash_init(f->md5) != 0)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory for MD5")));
	return f;
}

/* Run deflate over what is pending with flush, writing what comes out; its last result. */
static int
deflate_out(OutputFile *f, int flush)
{
	int			ret;

	do
	{
		size_t		n;

		f->z.next_out = (Bytef *) f->buf;
		f->z.avail_out = COMPRESS_CHUNK;
		ret = deflate(&f->z, flush);
		if (ret == Z_STREAM_ERROR)
			elog(ERROR, "gzip stream of %s is broken", f->path);
		n = COMPRESS_CHUNK - f->z.avail_out;
		write_all(f->fd, f->path, f->buf, n, f->md5);
		f->bytes += n;
	} while (f->z.avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
	return ret;
}

void
OutputFileWrite(OutputFile *f, const char *data, size_t len)
{
	if (f->fd < 0)
		elog(ERROR, "%s written after it was closed", f->path);
	while (len > 0)
	{
		size_t		n = Min(len, (size_t) UINT_MAX);

		f->z.next_in = (Bytef *) data;
		f->z.avail_in = n;
		(void) deflate_out(f, Z_NO_FLUSH);
		data += n;
		len -= n;
	}
}

/* Hex digits of len bytes into out (2 * len + 1 bytes). */
static void
hex_of(const uint8 *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t		i;

	for (i = 0; i < len; i++)
	{
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0xF];
	}
	out[2 * len] = '\0';
}

void
OutputFileClose(OutputFile *f, OutputFileInfo *info)
{
	uint8		md5[MD5_DIGEST_LENGTH];
	uint8		md5_of_md5[MD5_DIGEST_LENGTH];
	const char *errstr = NULL;
	int			fd;
	int			n;

	f->z.next_in = NULL;
	f->z.avail_in = 0;
	(void) deflate_out(f, Z_FINISH);
	deflateEnd(&f->z);
	if (pg_cryptohash_final(f->md5, md5, sizeof(md5)) != 0)
		elog(ERROR, "could not compute MD5: %s", pg_cryptohash_error(f->md5));
	pg_cryptohash_free(f->md5);
	f->md5 = NULL;
	fd = f->fd;
	f->fd = -1;
	finish_file(fd, f->path);

	info->bytes = f->bytes;
	n = pg_b64_encode((const char *) md5, sizeof(md5), info->md5_base64, sizeof(info->md5_base64) - 1);
	if (n < 0)
		elog(ERROR, "could not encode MD5 in base64");
	info->md5_base64[n] = '\0';

	/*
	 * The etag S3 gives an object uploaded in parts is the MD5 of its parts'
	 * MD5s (binary, concatenated) in hex, then "-" and the number of parts;
	 * DynamoDB's manifests show such etags ("...-1").  One part: the MD5 of
	 * the file's MD5.
	 */
	if (!pg_md5_binary(md5, sizeof(md5), md5_of_md5, &errstr))
		elog(ERROR, "could not compute MD5: %s", errstr ? errstr : "out of memory");
	hex_of(md5_of_md5, sizeof(md5_of_md5), info->etag);
	strcat(info->etag, "-1");
}

void
ExchangeWriteFile(const char *path, const char *data, size_t len, char *md5_hex)
{
	int			fd = create_file(path);

	PG_TRY();
	{
		write_all(fd, path, data, len, NULL);
	}
	PG_CATCH();
	{
		close(fd);
		PG_RE_THROW();
	}
	PG_END_TRY();
	finish_file(fd, path);
	if (md5_hex)
	{
		const char *errstr = NULL;

		if (!pg_md5_hash(data, len, md5_hex, &errstr))
			elog(ERROR, "could not compute MD5: %s", errstr ? errstr : "out of memory");
	}
}
