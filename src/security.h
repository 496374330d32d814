/*
 * security.h
 *		Elevated steps with a pinned search_path; roles that may use keys.
 */
#ifndef DYNAMO_SECURITY_H
#define DYNAMO_SECURITY_H

#define DYNAMO_SCHEMA				"dynamo"
#define DYNAMO_SAFE_SEARCH_PATH		"pg_catalog, dynamo, pg_temp"

/*
 * Run step(arg) as role, in a security-restricted operation with search_path
 * pinned (none of that role's code runs with the caller's rights, nor the
 * caller's objects with the role's).
 */
extern void SecurityRunAsRole(Oid role, void (*step) (void *arg), void *arg);

/* Run step(arg) as the owner of the extension's objects, search_path pinned. */
extern void SecurityRunAsOwner(void (*step) (void *arg), void *arg);

/* Pin this process's search_path (the HTTP workers, for their whole life). */
extern void SecurityPinSearchPath(void);

/* May this role log in now (exists, LOGIN, VALID UNTIL not passed)? */
extern bool SecurityRoleCanLogIn(Oid roleid);

/*
 * A timeout handler that ends this process at its next interrupt check:
 * for code that caught its cancellation and runs on (a PL/pgSQL handler
 * for query_canceled can), since nothing catches the end of the process.
 */
extern void SecurityEndProcess(void);

extern void SecurityInit(void);

#endif							/* DYNAMO_SECURITY_H */
