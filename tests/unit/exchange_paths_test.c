/*
 * exchange_paths_test.c
 *		Unit tests of the paths of exports and imports (exchange_paths.c)
 *		against real directories, files, FIFOs and symbolic links, printing
 *		TAP.  Built with tests/fuzz/pg_shim.c by tests/tap/exchange_paths.pl.
 *
 * The tree, in a fresh temporary directory (in /dev/shm when there is one):
 *	root/			both dynamo.export_directory and dynamo.import_directory
 *	outside/		beside the root: nothing here may be reached
 *	data/			stands for the data directory
 */
#include "shim_tap.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "exchange_server.h"

static char base[PATH_MAX];		/* the temporary directory, resolved */
static char root[PATH_MAX];

/* base/rel */
static const char *
at(const char *rel)
{
	return tap_path(base, rel);
}

/* Make the test tree (exits on failure: nothing could be tested). */
static void
make_file(const char *rel, const char *content)
{
	FILE	   *f = fopen(at(rel), "w");

	if (f == NULL || fputs(content, f) < 0 || fclose(f) != 0)
	{
		perror(at(rel));
		exit(2);
	}
}

static void
make_dir(const char *rel)
{
	if (mkdir(at(rel), 0700) != 0)
	{
		perror(at(rel));
		exit(2);
	}
}

static void
make_link(const char *target, const char *rel)
{
	if (symlink(target, at(rel)) != 0)
	{
		perror(at(rel));
		exit(2);
	}
}

static void
make_tree(void)
{
	/* in memory when it can be: 50,001 files are made */
	tap_temp_dir(base, "paths", true);
	snprintf(root, sizeof(root), "%s/root", base);
	make_dir("root");
	make_dir("outside");
	make_file("outside/secret.json", "{\"Item\":{\"secret\":{\"S\":\"x\"}}}\n");
	make_dir("data");
	make_dir("root/b");
	make_dir("root/b/real");
	make_link(at("outside"), "root/b/out");
	make_link("real", "root/b/in");
	make_link(at("nowhere"), "root/b/dangling");
	make_file("root/b/file.txt", "x");
	make_link(at("outside"), "root/evil");

	/* an import's source */
	make_dir("root/src");
	make_file("root/src/data1.json", "1");
	make_dir("root/src/data");
	make_file("root/src/data/a.json", "a");
	make_dir("root/src/data/b");
	make_file("root/src/data/b/c.json", "c");
	make_file("root/src/datx.json", "x");
	make_file("root/src/other.json", "o");
	make_link("data/a.json", "root/src/link_in.json");
	if (mkfifo(at("root/src/data/fifo"), 0600) != 0)
	{
		perror("mkfifo");
		exit(2);
	}
	if (mkfifo(at("outside/fifo"), 0600) != 0)
	{
		perror("mkfifo");
		exit(2);
	}
	/* sources that must be refused, or that loop */
	make_dir("root/bad");
	make_file("root/bad/a.json", "a");
	make_link(at("outside/secret.json"), "root/bad/z.json");
	make_dir("root/dang");
	make_link(at("nowhere"), "root/dang/x.json");
	make_dir("root/cyc");
	make_dir("root/cyc/d");
	make_file("root/cyc/d/f.json", "f");
	make_link("..", "root/cyc/d/up");
	make_link(at("root/cyc/d"), "root/cyc/again");
}

/* Point both settings at value. */
static void
set_roots(const char *value)
{
	DynamoExportDirectory = (char *) value;
	DynamoImportDirectory = (char *) value;
}

/* One call of ExchangePath and the path it must give (NULL: any). */
typedef struct PathCase
{
	ExchangeRoot root;
	const char *bucket;
	const char *prefix;
	bool		create;
	const char *want;			/* relative to the root */
} PathCase;

static void
run_path(void *arg)
{
	PathCase   *c = arg;
	char	   *got = ExchangePath(c->root, c->bucket, c->prefix, c->create);

	if (c->want)
		is_str(got, psprintf("%s/%s", root, c->want), "  the path resolved");
}

static void
path_case(const char *name, ExchangeRoot r, const char *bucket, const char *prefix,
		  bool create, const char *want, const char *error)
{
	PathCase	c = {r, bucket, prefix, create, want};

	expect_run(run_path, &c, error, name);
}

/* The settings themselves. */
static void
test_roots(void)
{
	set_roots("");
	path_case("export directory unset", EXCHANGE_EXPORT, "b", NULL, false, NULL,
			  "Exports are not available: dynamo.export_directory is not set");
	path_case("import directory unset", EXCHANGE_IMPORT, "b", NULL, false, NULL,
			  "Imports are not available: dynamo.import_directory is not set");
	set_roots(NULL);
	path_case("import directory null", EXCHANGE_IMPORT, "b", NULL, false, NULL,
			  "dynamo.import_directory is not set");
	set_roots("relative/dir");
	path_case("relative directory", EXCHANGE_EXPORT, "b", NULL, false, NULL,
			  "dynamo.export_directory is not an absolute path");
	set_roots(at("root/b/file.txt"));
	path_case("directory that is a file", EXCHANGE_IMPORT, "b", NULL, false, NULL,
			  "dynamo.import_directory is not a directory");
	set_roots(at("missing"));
	path_case("directory that does not exist", EXCHANGE_EXPORT, "b", NULL, false, NULL,
			  "dynamo.export_directory is not a directory");
	DataDir = strdup(at("data"));
	set_roots(at("data"));
	path_case("the data directory", EXCHANGE_EXPORT, "b", NULL, false, NULL,
			  "dynamo.export_directory overlaps the data directory");
	set_roots(base);
	path_case("a directory holding the data directory", EXCHANGE_IMPORT, "b", NULL, false, NULL,
			  "dynamo.import_directory overlaps the data directory");
	set_roots(at("root/b/../b/real/.."));
	path_case("a directory named through ..", EXCHANGE_EXPORT, "x", NULL, false, NULL, NULL);
	set_roots(root);
}

/* Names and prefixes as text. */
static void
test_text(void)
{
	path_case("bucket .", EXCHANGE_EXPORT, ".", NULL, false, NULL, "Invalid S3Bucket");
	path_case("bucket ..", EXCHANGE_IMPORT, "..", NULL, false, NULL, "Invalid S3Bucket");
	path_case("bucket with /", EXCHANGE_EXPORT, "b/real", NULL, false, NULL, "Invalid S3Bucket");
	path_case("empty bucket", EXCHANGE_EXPORT, "", NULL, false, NULL, "Invalid S3Bucket");
	path_case("prefix ..", EXCHANGE_EXPORT, "b", "..", true, NULL,
			  "Invalid S3Prefix: a key prefix may not have \".\" or \"..\" as a path component");
	path_case("prefix a/../../x", EXCHANGE_IMPORT, "b", "real/../../x", false, NULL,
			  "Invalid S3KeyPrefix: a key prefix may not have");
	path_case("prefix ending in ..", EXCHANGE_EXPORT, "b", "real/..", true, NULL, "may not have");
	path_case("prefix ./a", EXCHANGE_EXPORT, "b", "./real", false, NULL, "may not have");
	path_case("prefix a/./b", EXCHANGE_EXPORT, "b", "real/./x", false, NULL, "may not have");
	path_case("absolute prefix", EXCHANGE_EXPORT, "b", "/etc", false, NULL,
			  "Invalid S3Prefix: a key prefix may not begin with \"/\"");
	path_case("prefix with .. inside a name is a name", EXCHANGE_EXPORT, "b", "a..b/..c", false,
			  "b/a..b/..c", NULL);
	path_case("empty components count for nothing", EXCHANGE_EXPORT, "b", "real//x///", false,
			  "b/real/x", NULL);
	path_case("no prefix: the bucket", EXCHANGE_IMPORT, "b", "", false, "b", NULL);
}

typedef struct TextCase
{
	const char *text;
	size_t		len;
} TextCase;

static void
run_text(void *arg)
{
	TextCase   *c = arg;

	ExchangeCheckText("S3Prefix", c->text, c->len);
}

/* U+0000, which C strings would cut short. */
static void
test_nul(void)
{
	TextCase	nul = {"data\0/../../etc", 15};
	TextCase	fine = {"data/x", 6};

	expect_run(run_text, &nul, "Invalid S3Prefix: it may not contain U+0000", "prefix with NUL");
	expect_run(run_text, &fine, NULL, "prefix without NUL");
}

/* Symbolic links, files in the way, links that lead nowhere. */
static void
test_links(void)
{
	struct stat st;

	path_case("link out of the root", EXCHANGE_EXPORT, "b", "out", true, NULL,
			  "Invalid S3Prefix: s3://b/out leads outside the directory that stands for S3");
	path_case("path below a link out of the root", EXCHANGE_IMPORT, "b", "out/x/y", false, NULL,
			  "leads outside");
	path_case("file below a link out of the root", EXCHANGE_IMPORT, "b", "out/secret.json", false,
			  NULL, "leads outside");
	path_case("bucket that is a link out", EXCHANGE_EXPORT, "evil", NULL, true, NULL,
			  "leads outside");
	ok(access(at("outside/x"), F_OK) != 0, "nothing was made outside the root");
	path_case("link inside the root", EXCHANGE_EXPORT, "b", "in/new/deeper", true,
			  "b/real/new/deeper", NULL);
	ok(stat(at("root/b/real/new/deeper"), &st) == 0 && S_ISDIR(st.st_mode) &&
	   (st.st_mode & 0777) == 0700, "its directories were made, mode 0700");
	path_case("a file where a directory should be", EXCHANGE_EXPORT, "b", "file.txt/x", true,
			  NULL, "Invalid S3Prefix: s3://b/file.txt/x cannot be created");
	path_case("a file where a directory should be, read", EXCHANGE_IMPORT, "b", "file.txt/x",
			  false, "b/file.txt/x", NULL);
	path_case("dangling link", EXCHANGE_EXPORT, "b", "dangling/x", true, NULL,
			  "Invalid S3Prefix: s3://b/dangling is a symbolic link that leads nowhere");
	path_case("dangling link, read", EXCHANGE_IMPORT, "b", "dangling", false, NULL,
			  "leads nowhere");
	ok(access(at("nowhere"), F_OK) != 0, "the dangling link's target was not made");
	path_case("new bucket and prefix", EXCHANGE_EXPORT, "fresh", "p/q/", true, "fresh/p/q", NULL);
	ok(stat(at("root/fresh/p/q"), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	   "the bucket and prefix were made, mode 0700");
	path_case("again: the same directory", EXCHANGE_EXPORT, "fresh", "p/q", true, "fresh/p/q", NULL);
	path_case("import of a prefix that does not exist", EXCHANGE_IMPORT, "nobucket", "x/y", false,
			  "nobucket/x/y", NULL);
	ok(access(at("root/nobucket"), F_OK) != 0, "an import makes no directory");
}

/* One listing and the keys (relative to the root, joined by ",") it must give. */
typedef struct ListCase
{
	const char *bucket;
	const char *prefix;
	const char *want;
} ListCase;

static void
run_list(void *arg)
{
	ListCase   *c = arg;
	List	   *files = ExchangeListFiles(c->bucket, c->prefix);
	StringInfoData got;
	ListCell   *lc;

	initStringInfo(&got);
	foreach(lc, files)
	{
		const char *p = lfirst(lc);

		if (got.len > 0)
			appendStringInfoChar(&got, ',');
		appendStringInfoString(&got, strncmp(p, root, strlen(root)) == 0 ? p + strlen(root) + 1 : p);
	}
	if (c->want)
		is_str(got.data, c->want, "  the files listed");
}

static void
list_case(const char *name, const char *bucket, const char *prefix, const char *want,
		  const char *error)
{
	ListCase	c = {bucket, prefix, want};

	expect_run(run_list, &c, error, name);
}

/* S3's listing of a key prefix. */
static void
test_listing(void)
{
	list_case("prefix data/", "src", "data/", "src/data/a.json,src/data/b/c.json", NULL);
	list_case("prefix data: a partial name", "src", "data",
			  "src/data/a.json,src/data/b/c.json,src/data1.json", NULL);
	list_case("prefix dat", "src", "dat",
			  "src/data/a.json,src/data/b/c.json,src/data1.json,src/datx.json", NULL);
	list_case("the whole bucket, links inside followed, FIFO skipped", "src", NULL,
			  "src/data/a.json,src/data/b/c.json,src/data1.json,src/datx.json,src/data/a.json,src/other.json",
			  NULL);
	list_case("prefix data/b/c", "src", "data/b/c", "src/data/b/c.json", NULL);
	list_case("prefix matching nothing", "src", "zzz", "", NULL);
	list_case("prefix below a directory that does not exist", "src", "nodir/x", "", NULL);
	list_case("prefix below a file", "src", "data1.json/", "", NULL);
	list_case("prefix naming one file", "src", "other.json", "src/other.json", NULL);
	list_case("bucket that does not exist", "nobucket", NULL, NULL,
			  "The specified bucket does not exist: nobucket");
	list_case("bucket that is a file", "b/file.txt", NULL, NULL, "Invalid S3Bucket");
	list_case("a link out of the root inside the source", "bad", NULL, NULL,
			  "s3://bad/z.json leads outside the directory that stands for S3");
	list_case("the same source below the link", "bad", "a", "bad/a.json", NULL);
	list_case("a dangling link inside the source", "dang", NULL, NULL, "leads nowhere");
	list_case("links back to a directory being listed are skipped", "cyc", NULL,
			  "cyc/d/f.json,cyc/d/f.json", NULL);
	list_case("bucket that is a link out", "evil", NULL, NULL, "leads outside");
	list_case("prefix with ..", "src", "data/../../outside", NULL, "may not have");
}

/*
 * A file whose path is longer than PATH_MAX (directories made one below the
 * other): the listing cannot reach it, and says so rather than leave it out.
 */
static void
test_deep(void)
{
	char		name[201];
	int			fd;
	int			i;

	make_dir("root/deep");
	make_file("root/deep/a.json", "a");
	memset(name, 'd', 200);
	name[200] = '\0';
	fd = open(at("root/deep"), O_RDONLY | O_DIRECTORY);
	for (i = 0; fd >= 0 && i < PATH_MAX / 200 + 1; i++)
	{
		int			next;

		if (mkdirat(fd, name, 0700) != 0 || (next = openat(fd, name, O_RDONLY | O_DIRECTORY)) < 0)
		{
			perror("mkdirat");
			exit(2);
		}
		close(fd);
		fd = next;
	}
	if (fd < 0 || (i = openat(fd, "z.json", O_WRONLY | O_CREAT, 0600)) < 0)
	{
		perror("deep");
		exit(2);
	}
	close(i);
	close(fd);
	list_case("a file past PATH_MAX", "deep", NULL, NULL, "cannot be listed: File name too long");
	list_case("the same source, beside it", "deep", "a", "deep/a.json", NULL);
}

/*
 * Links that fan out: 501 links to one directory of 501 FIFOs (neither
 * files nor directories, so never counted as objects) make a quarter of a
 * million entries to look at; the walk stops there (more links, more
 * FIFOs would make it go on for hours).
 */
static void
test_fan_out(void)
{
	char		rel[64];
	int			i;

	make_dir("root/fan");
	make_dir("root/fan/fifos");
	for (i = 0; i < 501; i++)
	{
		snprintf(rel, sizeof(rel), "root/fan/fifos/%03d", i);
		if (mkfifo(at(rel), 0600) != 0)
		{
			perror("mkfifo");
			exit(2);
		}
		snprintf(rel, sizeof(rel), "root/fan/l%03d", i);
		make_link("fifos", rel);
	}
	list_case("links fanning out", "fan", NULL, NULL,
			  "The import source has more than 250000 entries below s3://fan");
	list_case("the same source, one link", "fan", "l000/00", "", NULL);
}

/* DynamoDB's 50,000 objects per import. */
static void
test_many(void)
{
	char		path[PATH_MAX];
	int			i;

	make_dir("root/many");
	for (i = 0; i < 50001; i++)
	{
		int			fd;

		snprintf(path, sizeof(path), "%s/root/many/%05d", base, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
		{
			perror(path);
			exit(2);
		}
		close(fd);
	}
	list_case("50,001 objects", "many", NULL, NULL,
			  "The import source has more than 50000 S3 objects");
	snprintf(path, sizeof(path), "%s/root/many/%05d", base, 50000);
	unlink(path);
	list_case("50,000 objects", "many", NULL, NULL, NULL);
}

/* One ExchangeOpenForRead and what the file must hold (NULL: error expected). */
typedef struct OpenCase
{
	ExchangeRoot root;
	const char *path;
	const char *want;
} OpenCase;

static void
run_open(void *arg)
{
	OpenCase   *c = arg;
	int			fd = ExchangeOpenForRead(c->root, c->path);
	char		buf[64];
	ssize_t		n = read(fd, buf, sizeof(buf) - 1);

	close(fd);
	buf[Max(n, 0)] = '\0';
	if (c->want)
		is_str(buf, c->want, "  the file read");
}

static void
open_case(const char *name, const char *path, const char *want, const char *error)
{
	OpenCase	c = {EXCHANGE_IMPORT, path, want};

	expect_run(run_open, &c, error, name);
}

/*
 * A FIFO, inside or reached by a link out, is refused without being opened
 * at all (no IN_OPEN): a device would be refused the same way, and opening
 * one may do something.
 */
static void
never_opened(const char *name, const char *fifo, const char *path, const char *error)
{
	int			in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	char		buf[4096];

	if (in < 0 || inotify_add_watch(in, at(fifo), IN_OPEN) < 0)
	{
		perror("inotify");
		exit(2);
	}
	open_case(name, at(path), NULL, error);
	ok(read(in, buf, sizeof(buf)) < 0 && errno == EAGAIN, "  %s never opened", fifo);
	close(in);
}

/* Opening: regular files inside the root only. */
static void
test_open(void)
{
	open_case("a file inside", at("root/src/data/a.json"), "a", NULL);
	open_case("a file through a link inside", at("root/b/in/../../src/other.json"), "o", NULL);
	open_case("a symbolic link", at("root/src/link_in.json"), NULL,
			  "Cannot read s3://src/link_in.json: it is a symbolic link");
	open_case("a FIFO (without waiting for a writer)", at("root/src/data/fifo"), NULL,
			  "it is not a regular file");
	never_opened("a FIFO", "root/src/data/fifo", "root/src/data/fifo", "it is not a regular file");
	never_opened("a FIFO through a link out", "outside/fifo", "root/b/out/fifo",
				 "it is not a regular file");
	open_case("a directory", at("root/src/data"), NULL, "it is not a regular file");
	open_case("a file outside", at("outside/secret.json"), NULL,
			  "it lies outside the directory that stands for S3");
	open_case("a file through a link out", at("root/b/out/secret.json"), NULL,
			  "it lies outside the directory that stands for S3");
	open_case("a file that does not exist", at("root/src/none.json"), NULL,
			  "Cannot read s3://src/none.json");
	open_case("a relative path", "root/src/data/a.json", NULL, "not an absolute path");
}

int
main(void)
{
	make_tree();
	set_roots(root);
	test_roots();
	test_text();
	test_nul();
	test_links();
	test_listing();
	test_open();
	test_deep();
	test_fan_out();
	test_many();
	tap_remove_dir(base);
	return done_testing();
}
