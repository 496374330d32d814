/*
 * exchange_paths.c
 *		The directories that stand for S3 (dynamo.export_directory,
 *		dynamo.import_directory), and the paths resolved inside them.
 *
 * A bucket is a directory of the root, an S3 key a path below it.  Keys are
 * free text from requests, so every path is checked twice:
 *
 * - as text: no NUL (ExchangeCheckText), no "." or ".." component, not
 *   absolute; empty components ("a//b") count for nothing, as they would in
 *   a file system;
 * - as a file: the longest part of it that exists is resolved with
 *   realpath() (symbolic links followed) and must be the root or below it;
 *   the rest does not exist yet, so it holds no link.  A link that leads
 *   nowhere is refused, since where it would lead cannot be checked.
 *
 * The root itself is the administrator's: resolved on every use, it must be
 * an absolute directory that neither holds nor lies in the data directory.
 *
 * Races: an export makes its missing directories one at a time with
 * mkdirat() under descriptors opened O_NOFOLLOW, so a link planted meanwhile
 * is not followed, and resolves the result again.  A file is read through
 * ExchangeOpenForRead, which does not follow a last link, opens nothing but
 * regular files and checks where the file really is (/proc/self/fd) before
 * opening it for reading.
 *
 * Listing follows S3: the keys under a prefix are the files whose path
 * relative to the bucket starts with it ("data" lists data1.json and
 * data/a.json, "data/" only the latter), sorted by bytes, at most
 * DynamoDB's 50,000 objects per import.  Links inside the root are
 * followed (a link back to a directory being listed is skipped), links
 * leading out refused; whatever is neither file nor directory is skipped; a
 * directory or entry that cannot be read (a path past PATH_MAX, no right)
 * is an error, never a file silently left out.
 *
 * Messages name objects as s3://<bucket>/<key>, never the server's paths.
 */
#include "postgres.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "exchange/exchange.h"
#include "miscadmin.h"
#include "utils/guc.h"

/* DynamoDB: an import reads at most 50,000 S3 objects. */
#define EXCHANGE_MAX_OBJECTS	50000
/*
 * Directories one listing may walk through, and entries (files, links,
 * anything) it may look at: links inside the root may fan out, a directory
 * reached again and again through links to it, with its entries each time.
 */
#define EXCHANGE_MAX_DIRECTORIES	50000
#define EXCHANGE_MAX_ENTRIES		(5 * EXCHANGE_MAX_OBJECTS)

char	   *DynamoExportDirectory = NULL;
char	   *DynamoImportDirectory = NULL;

void
ExchangeInit(void)
{
	DefineCustomStringVariable("dynamo.export_directory",
							   "Directory that stands for S3 in ExportTableToPointInTime: an export goes to <directory>/<S3Bucket>/<S3Prefix>/.",
							   "Empty: exports are refused.",
							   &DynamoExportDirectory, "", PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("dynamo.import_directory",
							   "Directory that stands for S3 in ImportTable: an import reads <directory>/<S3Bucket>/<S3KeyPrefix>*.",
							   "Empty: imports are refused.",
							   &DynamoImportDirectory, "", PGC_SIGHUP, 0, NULL, NULL, NULL);
	ExportInit();
	ImportInit();
}

/* The name of a root's setting. */
static const char *
root_setting(ExchangeRoot root)
{
	return root == EXCHANGE_EXPORT ? "dynamo.export_directory" : "dynamo.import_directory";
}

/* The request member that holds a root's key prefix. */
static const char *
prefix_member(ExchangeRoot root)
{
	return root == EXCHANGE_EXPORT ? "S3Prefix" : "S3KeyPrefix";
}

/* Is path (resolved) the directory dir (resolved) or below it? */
static bool
resolved_within(const char *path, const char *dir)
{
	size_t		n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* realpath() into palloc'd memory; NULL (errno set) when it fails. */
static char *
real_path(const char *path)
{
	char		buf[PATH_MAX];

	if (realpath(path, buf) == NULL)
		return NULL;
	return pstrdup(buf);
}

/*
 * A root resolved: its setting set to an absolute directory apart from the
 * data directory, or ValidationException naming the setting.
 */
static char *
root_resolved(ExchangeRoot root)
{
	const char *value = root == EXCHANGE_EXPORT ? DynamoExportDirectory : DynamoImportDirectory;
	const char *what = root == EXCHANGE_EXPORT ? "Exports" : "Imports";
	const char *setting = root_setting(root);
	char	   *real;
	char	   *data;
	struct stat st;

	if (value == NULL || value[0] == '\0')
		DynamoError(DYERR_VALIDATION, "%s are not available: %s is not set", what, setting);
	if (value[0] != '/')
		DynamoError(DYERR_VALIDATION, "%s are not available: %s is not an absolute path",
					what, setting);
	real = real_path(value);
	if (real == NULL || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
		DynamoError(DYERR_VALIDATION, "%s are not available: %s is not a directory",
					what, setting);
	data = DataDir ? real_path(DataDir) : NULL;
	if (data && (resolved_within(real, data) || resolved_within(data, real)))
		DynamoError(DYERR_VALIDATION, "%s are not available: %s overlaps the data directory",
					what, setting);
	return real;
}

void
ExchangeCheckText(const char *member, const char *text, size_t len)
{
	if (text && memchr(text, '\0', len) != NULL)
		DynamoError(DYERR_VALIDATION, "Invalid %s: it may not contain U+0000", member);
}

/* ValidationException unless bucket can name a directory of the root. */
static void
check_bucket(const char *bucket)
{
	if (bucket == NULL || bucket[0] == '\0' || strcmp(bucket, ".") == 0 ||
		strcmp(bucket, "..") == 0 || strchr(bucket, '/') != NULL)
		DynamoError(DYERR_VALIDATION, "Invalid S3Bucket: %s is not a bucket name",
					bucket ? bucket : "null");
}

/*
 * A key prefix checked as text and rewritten with single slashes between
 * its components and a final slash when it ends with one ("" for none).
 */
static char *
prefix_normalized(ExchangeRoot root, const char *prefix)
{
	StringInfoData out;
	const char *p = prefix;

	initStringInfo(&out);
	if (prefix == NULL)
		return out.data;
	if (prefix[0] == '/')
		DynamoError(DYERR_VALIDATION, "Invalid %s: a key prefix may not begin with \"/\"",
					prefix_member(root));
	while (*p)
	{
		const char *slash = strchr(p, '/');
		const char *end = slash ? slash : p + strlen(p);
		size_t		n = end - p;

		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			DynamoError(DYERR_VALIDATION,
						"Invalid %s: a key prefix may not have \".\" or \"..\" as a path component",
						prefix_member(root));
		if (n > 0)
		{
			if (out.len > 0)
				appendStringInfoChar(&out, '/');
			appendBinaryStringInfo(&out, p, n);
		}
		p = *end ? end + 1 : end;
	}
	if (out.len > 0 && p[-1] == '/')
		appendStringInfoChar(&out, '/');
	return out.data;
}

/* The name of an object (or directory) below root, for messages: s3://bucket/key. */
static char *
object_name(const char *rootdir, const char *path)
{
	size_t		n = strlen(rootdir);

	if (resolved_within(path, rootdir) && path[n] == '/')
		return psprintf("s3://%s", path + n + 1);
	return pstrdup(path);
}

/*
 * path (absolute, lexically below rootdir) resolved: its longest existing
 * part through realpath(), the rest appended.  ValidationException (naming
 * member) when that part lies outside rootdir or is a link that leads
 * nowhere.
 */
static char *
resolve_within(const char *rootdir, const char *path, const char *member)
{
	char	   *head = pstrdup(path);
	char	   *tail = pstrdup("");
	char	   *real;

	for (;;)
	{
		struct stat st;
		char	   *slash;

		CHECK_FOR_INTERRUPTS();
		real = real_path(head);
		if (real != NULL)
			break;
		if (errno != ENOENT && errno != ENOTDIR)
			DynamoError(DYERR_VALIDATION, "Invalid %s: %s cannot be resolved: %m",
						member, object_name(rootdir, head));
		if (lstat(head, &st) == 0 && S_ISLNK(st.st_mode))
			DynamoError(DYERR_VALIDATION, "Invalid %s: %s is a symbolic link that leads nowhere",
						member, object_name(rootdir, head));
		slash = strrchr(head, '/');
		if (slash == NULL || slash == head)
			DynamoError(DYERR_VALIDATION, "Invalid %s: its directory no longer exists", member);
		tail = psprintf("/%s%s", slash + 1, tail);
		*slash = '\0';
	}
	if (!resolved_within(real, rootdir))
		DynamoError(DYERR_VALIDATION, "Invalid %s: %s leads outside the directory that stands for S3",
					member, object_name(rootdir, head));
	return tail[0] ? psprintf("%s%s", real, tail) : real;
}

/* Close fd and raise ValidationException: a directory of path could not be made. */
static void pg_attribute_noreturn()
mkdir_failed(int fd, const char *rootdir, const char *path, const char *member)
{
	int			save_errno = errno;

	if (fd >= 0)
		close(fd);
	errno = save_errno;
	DynamoError(DYERR_VALIDATION, "Invalid %s: %s cannot be created: %m",
				member, object_name(rootdir, path));
}

/*
 * Make the missing directories of path (resolved, below rootdir), mode 0700,
 * one component at a time from rootdir, never following a link.
 */
static void
make_directories(const char *rootdir, const char *path, const char *member)
{
	size_t		n = strlen(rootdir);
	char	   *rest = pstrdup(path + n);
	char	   *component;
	char	   *save = NULL;
	int			fd;

	fd = open(rootdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		mkdir_failed(-1, rootdir, path, member);
	for (component = strtok_r(rest, "/", &save); component; component = strtok_r(NULL, "/", &save))
	{
		int			next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (next < 0 && errno == ENOENT)
		{
			if (mkdirat(fd, component, 0700) != 0 && errno != EEXIST)
				mkdir_failed(fd, rootdir, path, member);
			next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0)
			mkdir_failed(fd, rootdir, path, member);
		close(fd);
		fd = next;
	}
	close(fd);
}

char *
ExchangePath(ExchangeRoot root, const char *bucket, const char *prefix, bool create)
{
	char	   *rootdir = root_resolved(root);
	char	   *rel = prefix_normalized(root, prefix);
	char	   *lexical;
	char	   *path;
	char	   *again;

	check_bucket(bucket);
	if (rel[0] && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	lexical = rel[0] ? psprintf("%s/%s/%s", rootdir, bucket, rel) : psprintf("%s/%s", rootdir, bucket);
	path = resolve_within(rootdir, lexical, prefix_member(root));
	if (!create)
		return path;
	make_directories(rootdir, path, prefix_member(root));
	again = real_path(path);
	if (again == NULL || strcmp(again, path) != 0)
		DynamoError(DYERR_VALIDATION, "Invalid %s: %s changed while it was being created",
					prefix_member(root), object_name(rootdir, path));
	return path;
}

/* One object found by a listing: its key (relative to the bucket) and file. */
typedef struct ListedFile
{
	char	   *key;
	char	   *path;
} ListedFile;

/* A listing under way. */
typedef struct Listing
{
	const char *rootdir;
	ListedFile *files;
	int			nfiles;
	int			capacity;
	int			directories;
	int			entries;
	dev_t		chain_dev[PATH_MAX / 2];	/* the directories being listed, outermost first */
	ino_t		chain_ino[PATH_MAX / 2];
	int			depth;
} Listing;

/*
 * ValidationException: the object at key (a directory or file being
 * listed) cannot be read (errno set), so the listing would be incomplete.
 */
static void pg_attribute_noreturn()
list_failed(const char *key)
{
	DynamoError(DYERR_VALIDATION, "Invalid S3KeyPrefix: s3://%s cannot be listed: %m", key);
}

/*
 * The names in directory dir, whose key is key_dir (without "." and "..");
 * an error when it cannot be read: a source is listed whole or not at all.
 */
static List *
directory_names(const char *dir, const char *key_dir)
{
	DIR		   *d = opendir(dir);
	struct dirent *de;
	List	   *names = NIL;

	if (d == NULL)
		list_failed(key_dir);
	for (;;)
	{
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = lappend(names, pstrdup(de->d_name));
	}
	if (errno != 0)
	{
		int			save_errno = errno;

		closedir(d);
		errno = save_errno;
		list_failed(key_dir);
	}
	closedir(d);
	return names;
}

static void list_directory(Listing *l, const char *dir, const char *key_dir, const char *partial);

/* Add a regular file found as key. */
static void
list_add(Listing *l, const char *key, const char *path)
{
	if (l->nfiles >= EXCHANGE_MAX_OBJECTS)
		DynamoError(DYERR_VALIDATION,
					"The import source has more than %d S3 objects: an import reads at most %d",
					EXCHANGE_MAX_OBJECTS, EXCHANGE_MAX_OBJECTS);
	if (l->nfiles == l->capacity)
	{
		l->capacity = l->capacity ? l->capacity * 2 : 64;
		l->files = l->files ? repalloc(l->files, l->capacity * sizeof(ListedFile))
			: palloc(l->capacity * sizeof(ListedFile));
	}
	l->files[l->nfiles].key = pstrdup(key);
	l->files[l->nfiles].path = pstrdup(path);
	l->nfiles++;
}

/* List a directory found as key (a link's target when it is one), unless it is being listed already. */
static void
list_subdirectory(Listing *l, const char *dir, const struct stat *st, const char *key)
{
	int			i;

	for (i = 0; i < l->depth; i++)
		if (l->chain_dev[i] == st->st_dev && l->chain_ino[i] == st->st_ino)
			return;
	if (l->depth >= (int) lengthof(l->chain_dev) || ++l->directories > EXCHANGE_MAX_DIRECTORIES)
		DynamoError(DYERR_VALIDATION, "The import source has too many directories below s3://%s",
					key);
	l->chain_dev[l->depth] = st->st_dev;
	l->chain_ino[l->depth] = st->st_ino;
	l->depth++;
	list_directory(l, dir, psprintf("%s/", key), "");
	l->depth--;
}

/* Add one entry of a directory: a file, a directory's files, a link's target. */
static void
list_entry(Listing *l, const char *path, const char *key)
{
	struct stat st;
	char	   *target;

	if (++l->entries > EXCHANGE_MAX_ENTRIES)
		DynamoError(DYERR_VALIDATION,
					"The import source has more than %d entries below s3://%s (links lead to the same directories again and again)",
					EXCHANGE_MAX_ENTRIES, pnstrdup(key, strcspn(key, "/")));
	if (lstat(path, &st) != 0)
	{
		if (errno == ENOENT)
			return;				/* gone meanwhile */
		list_failed(key);
	}
	if (S_ISREG(st.st_mode))
		list_add(l, key, path);
	else if (S_ISDIR(st.st_mode))
		list_subdirectory(l, path, &st, key);
	else if (S_ISLNK(st.st_mode))
	{
		target = real_path(path);
		if (target == NULL)
			DynamoError(DYERR_VALIDATION, "Invalid S3KeyPrefix: s3://%s is a symbolic link that leads nowhere",
						key);
		if (!resolved_within(target, l->rootdir))
			DynamoError(DYERR_VALIDATION, "Invalid S3KeyPrefix: s3://%s leads outside the directory that stands for S3",
						key);
		if (stat(target, &st) != 0)
			return;
		if (S_ISREG(st.st_mode))
			list_add(l, key, target);
		else if (S_ISDIR(st.st_mode))
			list_subdirectory(l, target, &st, key);
	}
}

/*
 * Add the files of directory dir, whose key is key_dir ("<bucket>/..."),
 * with names that start with partial.
 */
static void
list_directory(Listing *l, const char *dir, const char *key_dir, const char *partial)
{
	size_t		plen = strlen(partial);
	ListCell   *lc;

	foreach(lc, directory_names(dir, key_dir))
	{
		char	   *name = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (strncmp(name, partial, plen) != 0)
			continue;
		list_entry(l, psprintf("%s/%s", dir, name), psprintf("%s%s", key_dir, name));
	}
}

/* Order listed files by key, bytes compared, as S3 lists keys. */
static int
listed_file_cmp(const void *a, const void *b)
{
	return strcmp(((const ListedFile *) a)->key, ((const ListedFile *) b)->key);
}

List *
ExchangeListFiles(const char *bucket, const char *prefix)
{
	Listing    *l = palloc0(sizeof(Listing));
	char	   *rel = prefix_normalized(EXCHANGE_IMPORT, prefix);
	char	   *slash = strrchr(rel, '/');
	char	   *key_dir = slash ? pnstrdup(rel, slash + 1 - rel) : "";
	const char *partial = slash ? slash + 1 : rel;
	char	   *bucketdir;
	char	   *start;
	struct stat st;
	List	   *files = NIL;
	int			i;

	l->rootdir = root_resolved(EXCHANGE_IMPORT);
	check_bucket(bucket);
	bucketdir = resolve_within(l->rootdir, psprintf("%s/%s", l->rootdir, bucket), "S3Bucket");
	if (stat(bucketdir, &st) != 0 || !S_ISDIR(st.st_mode))
		DynamoError(DYERR_VALIDATION, "The specified bucket does not exist: %s", bucket);
	start = bucketdir;
	if (key_dir[0])
	{
		start = resolve_within(l->rootdir, psprintf("%s/%s", bucketdir, pnstrdup(key_dir, strlen(key_dir) - 1)),
							   "S3KeyPrefix");
		if (stat(start, &st) != 0 || !S_ISDIR(st.st_mode))
			return NIL;
	}
	l->chain_dev[0] = st.st_dev;
	l->chain_ino[0] = st.st_ino;
	l->depth = 1;
	list_directory(l, start, psprintf("%s/%s", bucket, key_dir), partial);
	if (l->nfiles > 1)
		qsort(l->files, l->nfiles, sizeof(ListedFile), listed_file_cmp);
	for (i = 0; i < l->nfiles; i++)
		files = lappend(files, l->files[i].path);
	return files;
}

/* Close fd and raise ValidationException about the object at path. */
static void pg_attribute_noreturn()
open_failed(int fd, const char *rootdir, const char *path, const char *why)
{
	if (fd >= 0)
		close(fd);
	DynamoError(DYERR_VALIDATION, "Cannot read %s: %s", object_name(rootdir, path), why);
}

/* Where an open descriptor really is, resolved; NULL when that cannot be told. */
static char *
descriptor_path(int fd)
{
	char		link[64];
	char		buf[PATH_MAX];
	ssize_t		n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0 || buf[0] != '/')
		return NULL;
	buf[n] = '\0';
	return pstrdup(buf);
}

/*
 * The file that the checked descriptor pfd (O_PATH) stands for, opened for
 * reading: through /proc/self/fd, which reaches that very inode, else
 * (no /proc) by path again, kept only when it is the same inode; -1 when
 * neither works.
 */
static int
reopen_for_read(int pfd, const char *path, const struct stat *st)
{
	char		link[64];
	struct stat again;
	int			fd;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
	fd = open(link, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &again) != 0 || again.st_dev != st->st_dev || again.st_ino != st->st_ino ||
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
	{
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/*
 * The path is first opened O_PATH, which opens nothing: a FIFO, a device or
 * a socket put there (or reached by a directory swapped for a link since the
 * listing) is looked at, never opened, and refused; only a regular file
 * inside the root is then opened for reading.
 */
int
ExchangeOpenForRead(ExchangeRoot root, const char *path)
{
	char	   *rootdir = root_resolved(root);
	char	   *where;
	struct stat st;
	int			pfd;
	int			fd;

	if (path == NULL || path[0] != '/')
		DynamoError(DYERR_VALIDATION, "Cannot read %s: not an absolute path", path ? path : "null");
	pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		open_failed(-1, rootdir, path, strerror(errno));
	if (fstat(pfd, &st) != 0)
		open_failed(pfd, rootdir, path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		open_failed(pfd, rootdir, path, "it is a symbolic link");
	if (!S_ISREG(st.st_mode))
		open_failed(pfd, rootdir, path, "it is not a regular file");
	where = descriptor_path(pfd);
	if (where == NULL)
	{
		char	   *slash = strrchr(path, '/');
		char	   *dir = real_path(slash == path ? "/" : pnstrdup(path, slash - path));

		where = dir ? psprintf("%s%s", dir, slash) : NULL;
	}
	if (where == NULL || !resolved_within(where, rootdir))
		open_failed(pfd, rootdir, path, "it lies outside the directory that stands for S3");
	fd = reopen_for_read(pfd, path, &st);
	if (fd < 0)
		open_failed(pfd, rootdir, path, strerror(errno));
	close(pfd);
	return fd;
}

int
ExchangeOpenDirectory(ExchangeRoot root, const char *bucket, const char *prefix, bool create)
{
	char	   *path = ExchangePath(root, bucket, prefix, create);
	int			fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char	   *where;

	if (fd < 0 && !create && errno == ENOENT)
		return -1;
	if (fd < 0)
		DynamoError(DYERR_VALIDATION, "Invalid %s: %s cannot be opened: %m",
					prefix_member(root), ExchangeObjectName(root, path));
	where = descriptor_path(fd);
	if (where == NULL || strcmp(where, path) != 0)
	{
		close(fd);
		DynamoError(DYERR_VALIDATION, "Invalid %s: %s changed while it was being opened",
					prefix_member(root), ExchangeObjectName(root, path));
	}
	return fd;
}

char *
ExchangeObjectName(ExchangeRoot root, const char *path)
{
	const char *value = root == EXCHANGE_EXPORT ? DynamoExportDirectory : DynamoImportDirectory;
	char	   *rootdir = value && value[0] == '/' ? real_path(value) : NULL;
	const char *fdpath = "/proc/self/fd/";

	/* (a path through a directory's descriptor: that directory's) */
	if (strncmp(path, fdpath, strlen(fdpath)) == 0)
	{
		const char *rest = strchr(path + strlen(fdpath), '/');
		char	   *where = descriptor_path(atoi(path + strlen(fdpath)));

		if (where)
			path = psprintf("%s%s", where, rest ? rest : "");
	}
	return rootdir ? object_name(rootdir, path) : pstrdup(path);
}
