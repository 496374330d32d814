/*
 * csv.c
 *		CSV records, as ImportTable reads them.
 *
 * RFC 4180 with InputFormatOptions.Csv's delimiter: fields separated by the
 * delimiter, records by "\n" or "\r\n"; a field that begins with a double
 * quote is quoted, may hold delimiters, quotes (doubled) and newlines, and
 * ends at a quote followed by a delimiter or the end of the record; a quote
 * inside an unquoted field is an ordinary character.  A byte order mark at
 * the start of the file is skipped, empty lines are not records, fields may
 * be empty.
 *
 * Malformed records are reported, not fatal: text after a closing quote
 * (the rest of its line is skipped), a quote left open at the end of the
 * file (the record is everything up to it), a NUL byte, a record longer
 * than EXCHANGE_MAX_RECORD or with more than CSV_MAX_FIELDS fields (skipped
 * to the end of the line it reached, whatever the quotes).  Memory stays
 * bounded by those limits, and reading never goes back: each byte of the
 * input is read once.
 */
#include "postgres.h"

#include "exchange/exchange.h"
#include "miscadmin.h"

#define CSV_CHUNK			(64 * 1024)
/* Most fields of one record: an item's attributes, generously. */
#define CSV_MAX_FIELDS		100000

struct CsvReader
{
	InputStream *in;
	char		delimiter;
	char	   *buf;			/* bytes from the stream */
	size_t		len;
	size_t		pos;
	bool		started;		/* past a byte order mark, if any */
	int			held;			/* a byte read ahead (-1: none) */
	uint64		line;			/* newlines read so far */
	uint64		record_line;	/* the line the last record began on */
	uint64		record_bytes;	/* bytes of the record being read */
	StringInfoData field;
};

CsvReader *
CsvReaderBegin(InputStream *in, const CsvOptions *opts)
{
	CsvReader  *r = palloc0(sizeof(CsvReader));

	r->in = in;
	r->delimiter = opts && opts->delimiter ? opts->delimiter : ',';
	if (r->delimiter == '"' || r->delimiter == '\n' || r->delimiter == '\r')
		elog(ERROR, "invalid CSV delimiter");
	r->buf = palloc(CSV_CHUNK);
	r->held = -1;
	initStringInfo(&r->field);
	return r;
}

/* The next byte of the input (-1 at its end), counted in the record. */
static int
next_byte(CsvReader *r)
{
	int			c;

	if (r->held >= 0)
	{
		c = r->held;
		r->held = -1;
	}
	else
	{
		if (r->pos == r->len)
		{
			CHECK_FOR_INTERRUPTS();
			r->len = InputStreamRead(r->in, r->buf, CSV_CHUNK);
			r->pos = 0;
			if (r->len == 0)
				return -1;
		}
		c = (unsigned char) r->buf[r->pos++];
	}
	r->record_bytes++;
	if (c == '\n')
		r->line++;
	return c;
}

/* Give back the byte just read (not -1), to be read again. */
static void
hold_byte(CsvReader *r, int c)
{
	r->held = c;
	r->record_bytes--;
	if (c == '\n')
		r->line--;
}

/* Skip a byte order mark at the start of the input. */
static void
skip_bom(CsvReader *r)
{
	static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
	int			i;

	r->started = true;
	if (r->pos == r->len)
	{
		r->len = InputStreamRead(r->in, r->buf, CSV_CHUNK);
		r->pos = 0;
	}
	/* (a mark split across reads of the stream is taken as text) */
	for (i = 0; i < 3; i++)
		if (r->pos + i >= r->len || (unsigned char) r->buf[r->pos + i] != bom[i])
			return;
	r->pos += 3;
}

/* Skip to the end of the line (whatever the quotes): the rest of a bad record. */
static void
skip_line(CsvReader *r)
{
	int			c;

	while ((c = next_byte(r)) != -1 && c != '\n')
		;
}

/*
 * Is c (just read, outside quotes) the end of the record?  "\r" ends it
 * when "\n" or the end of the input follows.
 */
static bool
record_end(CsvReader *r, int c)
{
	int			next;

	if (c == '\n' || c == -1)
		return true;
	if (c != '\r')
		return false;
	next = next_byte(r);
	if (next == '\n' || next == -1)
		return true;
	hold_byte(r, next);
	return false;
}

/* What is wrong with a record read to its end, or NULL. */
typedef struct RecordState
{
	List	   *fields;
	int			nfields;
	const char *error;
} RecordState;

/* End the current field: keep it, unless the record is bad already. */
static void
end_field(CsvReader *r, RecordState *st)
{
	if (st->error == NULL && memchr(r->field.data, '\0', r->field.len) != NULL)
		st->error = "a field holds a NUL byte";
	if (st->error == NULL && ++st->nfields > CSV_MAX_FIELDS)
		st->error = psprintf("the record has more than %d fields", CSV_MAX_FIELDS);
	if (st->error == NULL)
		st->fields = lappend(st->fields, pnstrdup(r->field.data, r->field.len));
	resetStringInfo(&r->field);
}

/* Read one quoted field's text after its opening quote; false when the input ends first. */
static bool
read_quoted(CsvReader *r)
{
	for (;;)
	{
		int			c = next_byte(r);

		if (c == -1)
			return false;
		if (c == '"')
		{
			c = next_byte(r);
			if (c != '"')
			{
				if (c != -1)
					hold_byte(r, c);
				return true;
			}
		}
		if (r->record_bytes > EXCHANGE_MAX_RECORD)
			return true;		/* the caller sees the length */
		appendStringInfoChar(&r->field, (char) c);
	}
}

bool
CsvReadRecord(CsvReader *r, List **fields, char **error, uint64 *record_bytes)
{
	RecordState st = {NIL, 0, NULL};
	int			c;

	*fields = NIL;
	*error = NULL;
	if (!r->started)
		skip_bom(r);
	/* empty lines are not records */
	do
	{
		r->record_bytes = 0;
		r->record_line = r->line + 1;
		c = next_byte(r);
		if (c == -1)
			return false;
	} while (record_end(r, c) && c != -1);
	resetStringInfo(&r->field);

	for (;;)
	{
		if (r->record_bytes > EXCHANGE_MAX_RECORD)
		{
			if (c != '\n')
				skip_line(r);
			st.error = psprintf("the record is longer than %d bytes", EXCHANGE_MAX_RECORD);
			break;
		}
		if (c == '"' && r->field.len == 0)
		{
			/* a quoted field, then a delimiter or the record's end */
			if (!read_quoted(r))
			{
				st.error = "a quoted field is not closed before the end of the file";
				break;
			}
			if (r->record_bytes > EXCHANGE_MAX_RECORD)
				continue;
			c = next_byte(r);
			if (c != r->delimiter && !record_end(r, c))
			{
				skip_line(r);
				st.error = "text follows the closing quote of a field";
				break;
			}
		}
		else if (c != r->delimiter && !record_end(r, c))
		{
			appendStringInfoChar(&r->field, (char) c);
			c = next_byte(r);
			continue;
		}
		end_field(r, &st);
		if (c != r->delimiter)
			break;
		c = next_byte(r);
		if (record_end(r, c))
		{
			end_field(r, &st);	/* a delimiter ends the record: an empty last field */
			break;
		}
	}
	*record_bytes = r->record_bytes;
	if (st.error)
	{
		*error = pstrdup(st.error);
		return true;
	}
	*fields = st.fields;
	return true;
}

uint64
CsvRecordLine(CsvReader *r)
{
	return r->record_line;
}
