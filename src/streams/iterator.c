/*
 * iterator.c
 *		Shard iterators: opaque, signed, valid for a while.
 *
 * A ShardIterator carries all GetRecords needs and nothing the server keeps
 * per reader: the stream, the shard, the position (the seq after which the
 * next record is read) and the time it was issued.  Its text is
 *
 *	<stream ARN>|1|<hex of payload and MAC>
 *
 * as DynamoDB's iterators start with the stream's ARN; the payload is
 * stream_id (8 bytes), shard_no (4), after_seq (8) and the issue time (8), in
 * network byte order, and the MAC is HMAC-SHA256 under the database's
 * iterator key (dynamo.stream_iterator_key, made at install from strong
 * random bytes, readable by the extension's owner alone) over everything
 * before the hex and the payload.  So nobody without the key forges an
 * iterator, edits its position or moves it to another stream, and since the
 * key is stored, iterators survive a restart.  Who may read the stream is
 * checked again on every GetRecords: an iterator is no capability.
 *
 * Any text that is not exactly such an iterator decodes as none, whatever
 * its bytes (NUL, invalid UTF-8, a wrong length): the caller answers it as an
 * invalid iterator.
 */
#include "postgres.h"

#include "catalog.h"
#include "common/cryptohash.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "streams/streams.h"
#include "utils/builtins.h"

#define ITERATOR_VERSION	"|1|"
#define PAYLOAD_BYTES		28
#define SIGNED_BYTES		(PAYLOAD_BYTES + PG_SHA256_DIGEST_LENGTH)
#define KEY_MAX_BYTES		64

int			StreamIteratorLifetime = 900;

/* The iterator key of this database into key; its length. */
static size_t
iterator_key(uint8 *key)
{
	char	   *hex = CatalogOwnerValue("SELECT pg_catalog.encode(key, 'hex')"
										" FROM dynamo.stream_iterator_key", 0, NULL);
	size_t		len = hex ? strlen(hex) : 0;

	if (len < 2 * 32 || len > 2 * KEY_MAX_BYTES)
		elog(ERROR, "dynamo.stream_iterator_key holds no usable key");
	return hex_decode(hex, len, (char *) key);
}

/* HMAC-SHA256 under the iterator key of prefix and payload, into mac. */
static void
sign(const char *prefix, size_t prefix_len, const uint8 *payload, uint8 *mac)
{
	uint8		key[KEY_MAX_BYTES];
	size_t		keylen = iterator_key(key);
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL || pg_hmac_init(ctx, key, keylen) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) prefix, prefix_len) < 0 ||
		pg_hmac_update(ctx, payload, PAYLOAD_BYTES) < 0 ||
		pg_hmac_final(ctx, mac, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not sign a shard iterator: %s", pg_hmac_error(ctx));
	pg_hmac_free(ctx);
	explicit_bzero(key, sizeof(key));
}

/* Store v in n bytes at p, most significant first. */
static void
put_be(uint8 *p, uint64 v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8) (v & 0xff);
}

/* The n-byte big-endian number at p. */
static uint64
get_be(const uint8 *p, int n)
{
	uint64		v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

char *
StreamIteratorEncode(const StreamIterator *it, const char *arn)
{
	StringInfoData out;
	uint8		signed_bytes[SIGNED_BYTES];
	char		hex[2 * SIGNED_BYTES + 1];

	put_be(signed_bytes, (uint64) it->stream_id, 8);
	put_be(signed_bytes + 8, (uint32) it->shard_no, 4);
	put_be(signed_bytes + 12, (uint64) it->after_seq, 8);
	put_be(signed_bytes + 20, (uint64) it->issued, 8);
	initStringInfo(&out);
	appendStringInfo(&out, "%s%s", arn, ITERATOR_VERSION);
	sign(out.data, out.len, signed_bytes, signed_bytes + PAYLOAD_BYTES);
	hex[hex_encode((const char *) signed_bytes, SIGNED_BYTES, hex)] = '\0';
	appendStringInfoString(&out, hex);
	return out.data;
}

/* Are the n bytes at a and b equal?  (in time independent of where they differ) */
static bool
equal_bytes(const uint8 *a, const uint8 *b, size_t n)
{
	uint8		diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

bool
StreamIteratorDecode(const char *text, size_t len, StreamIterator *it, char **arn)
{
	size_t		vlen = strlen(ITERATOR_VERSION);
	size_t		prefix_len;
	uint8		signed_bytes[SIGNED_BYTES];
	uint8		mac[PG_SHA256_DIGEST_LENGTH];

	if (len < vlen + 2 * SIGNED_BYTES + 1 || memchr(text, '\0', len))
		return false;
	prefix_len = len - 2 * SIGNED_BYTES;
	if (memcmp(text + prefix_len - vlen, ITERATOR_VERSION, vlen) != 0)
		return false;
	for (size_t i = prefix_len; i < len; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			return false;
	hex_decode(text + prefix_len, 2 * SIGNED_BYTES, (char *) signed_bytes);
	sign(text, prefix_len, signed_bytes, mac);
	if (!equal_bytes(mac, signed_bytes + PAYLOAD_BYTES, sizeof(mac)))
		return false;
	it->stream_id = (int64) get_be(signed_bytes, 8);
	it->shard_no = (int32) get_be(signed_bytes + 8, 4);
	it->after_seq = (int64) get_be(signed_bytes + 12, 8);
	it->issued = (TimestampTz) get_be(signed_bytes + 20, 8);
	*arn = pnstrdup(text, prefix_len - vlen);
	return true;
}
