# Shared set-up for make run / make test / make bench.
# Sourced, not run.  Installs what is missing (Debian 12, as root), builds and
# installs the extension, and manages a cluster run by the postgres OS user.

# (DYNAMO_PGBIN: the binaries of another installation of PostgreSQL 15)
PGBIN=${DYNAMO_PGBIN:-/usr/lib/postgresql/15/bin}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACKAGES="postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl libjson-c-dev
	zlib1g-dev libzstd-dev zstd pkg-config gcc make python3-boto3 awscli libipc-run-perl libtest-simple-perl wrk"

log() { printf '== %s\n' "$*" >&2; }

# What the build and the suites run, and the package each comes from: checked
# after installing, so a missing piece is named before anything runs.
TOOLS="pg_config:postgresql-server-dev-15 $PGBIN/initdb:postgresql-15 psql:postgresql-client-15
	pg_prove:libtap-parser-sourcehandler-pgtap-perl prove:perl pkg-config:pkg-config gcc:gcc
	aws:awscli wrk:wrk /usr/bin/python3:python3-boto3 zstd:zstd"
PERL_MODULES="IPC::Run=libipc-run-perl Test::More=libtest-simple-perl"

# Name every command or module the suites need that is missing; false if any.
dynamo_check_tools() {
	local t missing=""
	for t in $TOOLS; do
		command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t%%:*} (${t#*:})"
	done
	for t in $PERL_MODULES; do
		perl -M"${t%%=*}" -e 1 2>/dev/null || missing="$missing perl ${t%%=*} (${t#*=})"
	done
	/usr/bin/python3 -c 'import boto3' 2>/dev/null || missing="$missing python3 boto3 (python3-boto3)"
	pkg-config --exists json-c 2>/dev/null || missing="$missing json-c (libjson-c-dev)"
	pkg-config --exists zlib 2>/dev/null || missing="$missing zlib (zlib1g-dev)"
	pkg-config --exists libzstd 2>/dev/null || missing="$missing zstd (libzstd-dev)"
	[ -f "$(pg_config --sharedir 2>/dev/null)/extension/pgtap.control" ] || missing="$missing pgTAP (postgresql-15-pgtap)"
	[ -z "$missing" ] && return 0
	log "missing:$missing"
	return 1
}

# Install the Debian packages that are missing.
dynamo_install_deps() {
	local missing="" p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		log "missing packages:$missing (run as root to install them)"; return 1
	fi
	log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# postgresql-common would create and start a default cluster: we run our own.
	mkdir -p /etc/postgresql-common
	[ -f /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Build and install the extension.
dynamo_build() {
	log "building"
	make -C "$TOP" -s -j2 >/dev/null
	make -C "$TOP" -s install >/dev/null
}

# Run a command as the postgres OS user when we are root (initdb refuses root),
# from / since postgres may not enter the current directory: paths are absolute.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# dynamo_initdb DIR PORT HTTP_PORT [durable|throwaway]: a fresh cluster
# preloading dynamo.  Durable (the default) keeps Postgres's crash safety; a
# throw-away test cluster trades it for speed (fsync = off).
dynamo_initdb() {
	local dir=$1 port=$2 http_port=$3 durability=${4:-durable} fsync
	case $durability in
		durable) fsync=on ;;
		throwaway) fsync=off ;;
		*) log "dynamo_initdb: durability is durable or throwaway, not $durability"; return 1 ;;
	esac
	mkdir -p "$dir" "$dir.backups" "$dir.exports" "$dir.imports"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir" "$dir.backups" "$dir.exports" "$dir.imports"
	as_pg "$PGBIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
	cat >> "$dir/postgresql.conf" <<CONF
shared_preload_libraries = 'dynamo'
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
max_worker_processes = 32
dynamo.http_port = $http_port
fsync = $fsync
# local use and tests: TimeToLive may change again at once (DynamoDB: 1 h)
dynamo.ttl_update_interval = 0
# backups, base backups and restores, outside the data directory
dynamo.backup_directory = '$dir.backups'
# exports and imports: the directories that stand for S3
dynamo.export_directory = '$dir.exports'
dynamo.import_directory = '$dir.imports'
CONF
	if [ "$durability" = durable ]; then
		printf '%s\n' 'full_page_writes = on' 'synchronous_commit = on' >> "$dir/postgresql.conf"
	fi
	# a server that restricts output plugins to a list must list dynamo's
	# (stock PostgreSQL 15 has no such setting, and loads any)
	# (grep reads it all: with -q the server would die of SIGPIPE, and pipefail fail the test)
	if "$PGBIN/postgres" --describe-config 2>/dev/null | grep '^output_plugin_libraries' >/dev/null; then
		echo "output_plugin_libraries = 'pgoutput, test_decoding, dynamo'" >> "$dir/postgresql.conf"
	fi
}

# dynamo_archive DIR: archive the WAL of the cluster in DIR (not started yet)
# into DIR.archive with basic_archive, as point-in-time recovery needs.
dynamo_archive() {
	local dir=$1
	mkdir -p "$dir.archive"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir.archive"
	cat >> "$dir/postgresql.conf" <<CONF
archive_mode = on
archive_library = 'basic_archive'
basic_archive.archive_directory = '$dir.archive'
CONF
}

# dynamo_start DIR [POSTGRES_OPTIONS]: start the cluster in the background
# (log in DIR/server.log) and wait until it accepts connections.
dynamo_start() {
	as_pg "$PGBIN/pg_ctl" -D "$1" -l "$1/server.log" -o "${2:-}" -w -t 60 start >/dev/null
}

# dynamo_stop DIR
dynamo_stop() {
	as_pg "$PGBIN/pg_ctl" -D "$1" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# The cluster of make run: $DYNAMO_RUN_DIR, else one per checkout where the
# postgres user may write, whatever the permissions of the checkout's parents.
dynamo_run_dir() {
	local base name
	if [ -n "${DYNAMO_RUN_DIR:-}" ]; then
		case $DYNAMO_RUN_DIR in
			/*) echo "$DYNAMO_RUN_DIR" ;;
			*) echo "$PWD/$DYNAMO_RUN_DIR" ;;
		esac
		return
	fi
	# a cluster made by an earlier make run stays where it is
	if [ -f "$TOP/.data/PG_VERSION" ]; then echo "$TOP/.data"; return; fi
	base=/var/lib/dynamo
	[ "$(id -u)" = 0 ] || base=${XDG_STATE_HOME:-$HOME/.local/state}/dynamo
	name=$(basename "$TOP" | tr -c 'A-Za-z0-9._\n-' _)
	echo "$base/$name-$(printf %s "$TOP" | sha256sum | cut -c1-8)"
}
