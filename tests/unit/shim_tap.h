/*
 * shim_tap.h
 *		TAP output for unit tests of backend code run outside a server with
 *		tests/fuzz/pg_shim.c (palloc, ereport): each case runs under
 *		ShimRun, so an ERROR ends the case and every chunk is freed after it.
 */
#ifndef DYNAMO_SHIM_TAP_H
#define DYNAMO_SHIM_TAP_H

#include "postgres.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "pg_shim.h"

static int	tap_tests = 0;
static int	tap_failed = 0;

/* One TAP result. */
static void ok(bool cond, const char *fmt,...) pg_attribute_printf(2, 3);
static void is_str(const char *got, const char *want, const char *name) pg_attribute_unused();
static void expect_run(void (*fn) (void *arg), void *arg, const char *want_error, const char *name) pg_attribute_unused();
static int	done_testing(void) pg_attribute_unused();
static void tap_temp_dir(char *dir, const char *name, bool in_memory) pg_attribute_unused();
static const char *tap_path(const char *dir, const char *rel) pg_attribute_unused();
static void tap_remove_dir(const char *dir) pg_attribute_unused();

static void
ok(bool cond, const char *fmt,...)
{
	char		name[1024];
	va_list		args;

	va_start(args, fmt);
	vsnprintf(name, sizeof(name), fmt, args);
	va_end(args);
	if (tap_tests == 0)
		setvbuf(stdout, NULL, _IOLBF, 0);	/* every line out before a crash */
	printf("%sok %d - %s\n", cond ? "" : "not ", ++tap_tests, name);
	if (!cond)
		tap_failed++;
}

/* Are two strings equal?  Shows both when not. */
static void
is_str(const char *got, const char *want, const char *name)
{
	bool		same = got && want && strcmp(got, want) == 0;

	ok(same, "%s", name);
	if (!same)
		printf("#   got:  %s\n#   want: %s\n", got ? got : "(null)", want ? want : "(null)");
}

/*
 * Run fn(arg) as a backend would: it must succeed (want_error NULL), or
 * fail with an error whose message holds want_error.
 */
static void
expect_run(void (*fn) (void *arg), void *arg, const char *want_error, const char *name)
{
	bool		ran = ShimRun(fn, arg);

	if (want_error == NULL)
	{
		ok(ran, "%s", name);
		if (!ran)
			printf("#   error: %s\n", ShimLastError());
	}
	else
	{
		bool		right = !ran && strstr(ShimLastError(), want_error) != NULL;

		ok(right, "%s: refused", name);
		if (!right)
			printf("#   %s: %s\n#   want an error with: %s\n", ran ? "succeeded" : "error",
				   ran ? "" : ShimLastError(), want_error);
	}
}

/* The plan, printed last; the exit status. */
static int
done_testing(void)
{
	printf("1..%d\n", tap_tests);
	return tap_failed ? 1 : 0;
}

/*
 * A fresh temporary directory, resolved, into dir (PATH_MAX bytes):
 * /tmp/dynamo-<name>-XXXXXX, or in /dev/shm when in_memory and it can be
 * (many files are made faster there).  Exits when none can be made.
 */
static void
tap_temp_dir(char *dir, const char *name, bool in_memory)
{
	char		tmpl[PATH_MAX];
	char	   *made = NULL;

	if (in_memory)
	{
		snprintf(tmpl, sizeof(tmpl), "/dev/shm/dynamo-%s-XXXXXX", name);
		made = mkdtemp(tmpl);
	}
	if (made == NULL)
	{
		snprintf(tmpl, sizeof(tmpl), "/tmp/dynamo-%s-XXXXXX", name);
		made = mkdtemp(tmpl);
	}
	if (made == NULL || realpath(made, dir) == NULL)
	{
		perror("mkdtemp");
		exit(2);
	}
}

/* dir/rel in a static buffer of its own (eight in turn). */
static const char *
tap_path(const char *dir, const char *rel)
{
	static char bufs[8][PATH_MAX];
	static int	next = 0;
	char	   *b = bufs[next++ % 8];

	snprintf(b, PATH_MAX, "%s/%s", dir, rel);
	return b;
}

/* Remove a temporary directory and all it holds. */
static void
tap_remove_dir(const char *dir)
{
	char		cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

#endif							/* DYNAMO_SHIM_TAP_H */
