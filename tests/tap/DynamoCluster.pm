# A throw-away cluster of its own for a TAP test (tests/bin/lib.sh does the
# work), and psql against it.
package DynamoCluster;
use strict;
use warnings;
use IPC::Run ();
use Time::HiRes ();
use Test::More ();

# DynamoCluster->new(name, pg_port, http_port): not started yet.
sub new {
	my ($class, $name, $port, $http_port) = @_;
	my $self = bless {
		dir => "$ENV{DYNAMO_WORK}/$name", port => $port, http_port => $http_port,
		top => $ENV{DYNAMO_TOP},
	}, $class;
	return $self;
}

sub dir { return $_[0]{dir} }

# Run shell commands with lib.sh's functions; returns (ok, output).
sub sh {
	my ($self, $cmd) = @_;
	my $out = `bash -c 'set -e; . "$self->{top}/tests/bin/lib.sh"; $cmd' 2>&1`;
	return ($? == 0, $out);
}

# initdb; $edit (a shell command on $dir/postgresql.conf) may adjust it.
sub init {
	my ($self, $edit) = @_;
	return $self->sh("dynamo_initdb $self->{dir} $self->{port} $self->{http_port} throwaway"
		  . ($edit ? " && $edit" : ""));
}

# Append settings to postgresql.conf (before start, or then reload).
sub append_conf {
	my ($self, $text) = @_;
	open(my $fh, '>>', "$self->{dir}/postgresql.conf") or die "postgresql.conf: $!";
	print $fh $text;
	close $fh;
}

sub start { my ($self) = @_; return $self->sh("dynamo_start $self->{dir}") }
sub stop { my ($self) = @_; return $self->sh("dynamo_stop $self->{dir}") }

# One SQL command in database postgres; returns (ok, output).
sub psql {
	my ($self, $sql) = @_;
	my $res = `psql -X -q -At -h $self->{dir} -p $self->{port} -U postgres -d postgres -v ON_ERROR_STOP=1 -c "$sql" 2>&1`;
	chomp $res;
	return ($? == 0, $res);
}

# SQL in database $db, as user postgres or $opt{user}, errors with their
# SQLSTATE when $opt{verbose}: returns (ok, stdout and stderr).
sub psql_in {
	my ($self, $db, $sql, %opt) = @_;
	my ($stdout, $stderr);
	my $res = IPC::Run::run(['psql', '-X', '-q', '-At', '-h', $self->{dir}, '-p', $self->{port},
			'-U', $opt{user} // 'postgres', '-d', $db, '-v', 'ON_ERROR_STOP=1',
			($opt{verbose} ? ('-v', 'VERBOSITY=verbose') : ()), '-c', $sql],
		'>', \$stdout, '2>', \$stderr);
	my $text = ($stdout // '') . ($stderr // '');
	chomp $text;
	return ($res, $text);
}

# The same as a test named $name; returns the output.
sub ok_psql_in {
	my ($self, $db, $sql, $name, %opt) = @_;
	my ($res, $text) = $self->psql_in($db, $sql, %opt);
	Test::More::ok($res, $name) or Test::More::diag($text);
	return $text;
}

# Poll until $sql (in database postgres) answers 't', for up to $secs
# (default 30); returns whether it did.
sub poll_true {
	my ($self, $sql, $secs) = @_;
	my $deadline = Time::HiRes::time() + ($secs // 30);
	while (Time::HiRes::time() < $deadline) {
		my ($res, $text) = $self->psql_in('postgres', $sql);
		return 1 if $res && $text eq 't';
		Time::HiRes::sleep(0.1);
	}
	return 0;
}

# A session of its own in database $db that runs $sql (which leaves a
# transaction open) and stays connected; returns once the statements ran.
# Send it more with $s->{in} .= ...; end it with $s->{h}->finish.
sub hold {
	my ($self, $db, $sql) = @_;
	my $s = {in => '', out => '', err => ''};
	$s->{h} = IPC::Run::start(['psql', '-X', '-q', '-At', '-h', $self->{dir}, '-p', $self->{port},
			'-U', 'postgres', '-d', $db, '-v', 'ON_ERROR_STOP=1'],
		'<', \$s->{in}, '>', \$s->{out}, '2>', \$s->{err}, IPC::Run::timeout(60));
	$s->{in} .= "$sql\nSELECT 'held';\n";
	IPC::Run::pump($s->{h}) until $s->{out} =~ /^held$/m || $s->{err} =~ /ERROR/;
	return $s;
}

# The pids of the processes of the cluster: every Postgres process works in
# its data directory.
sub procs {
	my ($self) = @_;
	require Cwd;
	my $real = Cwd::realpath($self->{dir});
	opendir(my $dh, '/proc') or die "/proc: $!";
	my @procs = grep { /^[0-9]+$/ && (readlink("/proc/$_/cwd") // '') eq $real } readdir $dh;
	closedir $dh;
	return @procs;
}

# kill -9 of the postmaster; once it is reaped and every process of the
# cluster is gone (they notice the postmaster's death and exit), start the
# cluster again.  Three tests; bails out when it does not start.
sub crash_and_restart {
	my ($self) = @_;
	open(my $fh, '<', "$self->{dir}/postmaster.pid") or die "postmaster.pid: $!";
	my $pm = <$fh>;
	close $fh;
	chomp $pm;
	Test::More::ok(kill('KILL', $pm), "kill -9 of the postmaster ($pm)");
	my $deadline = Time::HiRes::time() + 60;
	Time::HiRes::sleep(0.1) while Time::HiRes::time() < $deadline && (-e "/proc/$pm" || $self->procs);
	Test::More::ok(!-e "/proc/$pm" && !$self->procs, 'every process of the cluster is gone');
	my ($res, $text) = $self->start;
	Test::More::ok($res, 'the cluster starts again') or Test::More::BAIL_OUT($text);
}

# The SQL of a DynamoDB operation through its SQL function, the request a
# Perl structure: SELECT dynamo.<op>('<json>').
sub api_sql {
	my ($op, $req) = @_;
	require JSON::PP;
	my $body = JSON::PP->new->canonical->encode($req);
	$body =~ s/'/''/g;
	return "SELECT dynamo.$op('$body')";
}

1;
