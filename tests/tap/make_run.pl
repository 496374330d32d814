# make run in the background, with ports and a cluster directory of its own:
# the cluster is durable and archives its WAL, a taken port is refused with
# its number, ports set on a later run take effect, and SIGTERM, SIGINT or
# make stop end it cleanly.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

my $work = $ENV{DYNAMO_WORK} or plan skip_all => 'run through make test';
my $top = $ENV{DYNAMO_TOP};
my $dir = "$work/make_run";
my $log = "$dir/server.log";
my %children;

# Run make TARGET in the background with the given ports; returns its pid.
sub make_bg {
	my ($target, $port, $http, $out) = @_;
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		@ENV{qw(DYNAMO_RUN_DIR DYNAMO_PGPORT DYNAMO_HTTP_PORT)} = ($dir, $port, $http);
		# as from a terminal, even when make test itself runs in the background
		$SIG{$_} = 'DEFAULT' for qw(INT QUIT TERM HUP);
		open(STDOUT, '>', $out) or die "$out: $!";
		open(STDERR, '>&', \*STDOUT) or die "stderr: $!";
		exec('make', '-s', '-C', $top, $target) or exit 127;
	}
	$children{$pid} = 1;
	return $pid;
}

sub slurp {
	my ($file) = @_;
	open(my $fh, '<', $file) or return '';
	local $/;
	return scalar <$fh>;
}

# Poll $cond for up to $secs seconds; returns its last value.
sub wait_for {
	my ($cond, $secs) = @_;
	my $end = time + $secs;
	until ($cond->()) {
		return $cond->() if time > $end;
		sleep 0.2;
	}
	return 1;
}

# The exit status of child $pid once it ends within $secs seconds, else undef.
my %status;
sub exit_status {
	my ($pid, $secs) = @_;
	wait_for(sub {
		if (!exists $status{$pid} && waitpid($pid, WNOHANG) == $pid) { $status{$pid} = $?; delete $children{$pid} }
		return exists $status{$pid};
	}, $secs);
	return $status{$pid};
}

# An HTTP port of our range that nothing holds now, not one of @avoid nor the
# one of make test's own cluster.
sub free_http_port {
	my (@avoid) = @_;
	push @avoid, $ENV{DYNAMO_HTTP_PORT} // 0;
	for my $port (58090 .. 58094) {
		next if grep { $_ == $port } @avoid;
		my $probe = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Listen => 1, ReuseAddr => 1);
		return $port if $probe;
	}
	BAIL_OUT('no free HTTP port in 58090-58094');
}

# Start make run on a free HTTP port (another one if some program takes it
# meanwhile); returns (pid, output file, HTTP port) once it printed its banner.
sub run_until_banner {
	my ($port, $name, @avoid) = @_;
	my $out = "$work/make_run.$name.out";
	my ($pid, $http);
	for my $try (1 .. 3) {
		$http = free_http_port(@avoid);
		$pid = make_bg('run', $port, $http, $out);
		wait_for(sub { slurp($out) =~ /Press Ctrl-C/ || defined exit_status($pid, 0) }, 90);
		last unless slurp($out) =~ /HTTP port $http is taken/;
		push @avoid, $http;
	}
	ok(slurp($out) =~ /Press Ctrl-C/, "$name: make run prints its banner") or diag(slurp($out));
	return ($pid, $out, $http);
}

sub postmaster_pid {
	my ($line) = split /\n/, slurp("$dir/postmaster.pid");
	return $line;
}

# Check that $pid (make run) ends within a minute and takes the cluster along.
sub stops_cleanly {
	my ($pid, $pm, $name) = @_;
	my $status = exit_status($pid, 60);
	ok(defined $status, "$name: make run ends");
	ok(wait_for(sub { !kill(0, $pm) && !-e "$dir/postmaster.pid" }, 30), "$name: postmaster gone");
	like(slurp($log), qr/database system is shut down\s*\z/, "$name: clean shutdown logged");
	return $status;
}

sub psql {
	my ($port, $sql) = @_;
	my $res = `psql -X -At -h $dir -p $port -U postgres -d postgres -c "$sql" 2>&1`;
	chomp $res;
	return $res;
}

END {
	kill('TERM', $_) for keys %children;
	system("bash -c '. $top/tests/bin/lib.sh; dynamo_stop $dir'") if $top && -e "$dir/postmaster.pid";
}

# 1. a first run creates a durable cluster with the ports asked for
my ($run, $out, $http) = run_until_banner(55492, 'first');
my $banner = slurp($out);
like($banner, qr/-p 55492 /, 'banner: PostgreSQL port');
like($banner, qr{http://127\.0\.0\.1:$http\n}, 'banner: HTTP port');
like($banner, qr/log: +\Q$log\E\n/, 'banner: log file');
is(psql(55492, "SELECT string_agg(current_setting(s), ',') FROM unnest('{fsync,full_page_writes,synchronous_commit}'::text[]) s"),
	'on,on,on', 'fsync, full_page_writes and synchronous_commit are on');
is(psql(55492, "SELECT string_agg(current_setting(s), ',') FROM unnest('{archive_mode,archive_library,basic_archive.archive_directory,dynamo.backup_directory}'::text[]) s"),
	"on,basic_archive,$dir.archive,$dir.backups", 'the WAL is archived and backups are kept, beside the cluster');
unlike(slurp($log), qr/starting up/, 'no connection attempts while starting');
my $pm = postmaster_pid();
my $first_http = $http;

# 2. a second run of the same cluster fails and names the ports
my $again = make_bg('run', 55492, $http, "$work/make_run.again.out");
my $status = exit_status($again, 60);
ok(defined $status && $status != 0, 'second make run exits non-zero');
like(slurp("$work/make_run.again.out"), qr/already running.*port 55492.*HTTP port $http/, 'and names the ports');
ok(kill(0, $pm), 'the first cluster keeps running');

# 3. SIGTERM to make
kill('TERM', $run);
stops_cleanly($run, $pm, 'SIGTERM');

# 4. an HTTP port held by another program is refused
my $held = free_http_port($first_http);
my $holder = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $held, Listen => 5, ReuseAddr => 1)
  or BAIL_OUT("cannot listen on $held: $!");
my $taken = make_bg('run', 55493, $held, "$work/make_run.taken.out");
$status = exit_status($taken, 60);
ok(defined $status && $status != 0, 'make run on a taken HTTP port exits non-zero');
like(slurp("$work/make_run.taken.out"), qr/HTTP port $held is taken/, 'and names the port');
unlike(slurp("$work/make_run.taken.out"), qr/dynamo is running/, 'no banner');
ok(wait_for(sub { !-e "$dir/postmaster.pid" }, 30), 'and leaves no cluster running');
close($holder);

# 5. ports changed on a later run take effect
($run, $out, $http) = run_until_banner(55493, 'moved', $first_http);
like(slurp($out), qr/-p 55493 .*http:\/\/127\.0\.0\.1:$http\n/s, 'banner shows the new ports');
is(psql(55493, 'SELECT current_setting(\'port\') || \',\' || current_setting(\'dynamo.http_port\')'), "55493,$http",
	'the server uses them');
ok(IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $http, Timeout => 10), 'HTTP port answers');

# 6. make stop
$pm = postmaster_pid();
my $stop = make_bg('stop', 55493, $http, "$work/make_run.stop.out");
is(exit_status($stop, 90), 0, 'make stop succeeds') or diag(slurp("$work/make_run.stop.out"));
is(stops_cleanly($run, $pm, 'make stop'), 0, 'make run exits 0 after make stop');

# 7. SIGINT to make alone
($run, $out, $http) = run_until_banner(55494, 'interrupted');
$pm = postmaster_pid();
kill('INT', $run);
stops_cleanly($run, $pm, 'SIGINT');

# 8. DYNAMO_AUTH=none, for GUI tools with dummy credentials: said loudly, and
# any key is served; the next plain make run signs again
{
	local $ENV{DYNAMO_AUTH} = 'none';
	($run, $out, $http) = run_until_banner(55494, 'no auth');
}
like(slurp($out), qr/WARNING: DYNAMO_AUTH=none/, 'the banner warns');
my $py = "import boto3; c = boto3.client('dynamodb', endpoint_url='http://127.0.0.1:$http', region_name='local', aws_access_key_id='dummy', aws_secret_access_key='dummy'); print(c.list_tables()['TableNames'])";
like(`/usr/bin/python3 -c "$py" 2>&1`, qr/^\[/, 'dummy credentials are served');
like(slurp($log), qr/http_auth is 'none'/, 'and the server log says so');
$pm = postmaster_pid();
kill('TERM', $run);
stops_cleanly($run, $pm, 'no auth');
($run, $out, $http) = run_until_banner(55494, 'signed again');
like(`/usr/bin/python3 -c "$py" 2>&1`, qr/UnrecognizedClientException/, 'a plain make run signs again');
$pm = postmaster_pid();
kill('TERM', $run);
stops_cleanly($run, $pm, 'signed again');

# every start found the cluster shut down cleanly
my $all = slurp($log);
unlike($all, qr/terminated by signal|not properly shut down|automatic recovery|interrupted while/,
	'no crash or recovery in the log');
my $starts = () = $all =~ /starting PostgreSQL/g;
is(() = $all =~ /database system was shut down at/g, $starts, 'every start found a clean shutdown');
done_testing();
