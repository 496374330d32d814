# A throw-away cluster of its own for a TAP test (tests/bin/lib.sh does the
# work), and psql against it.
package DynamoCluster;
use strict;
use warnings;

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

sub start { my ($self) = @_; return $self->sh("dynamo_start $self->{dir}") }
sub stop { my ($self) = @_; return $self->sh("dynamo_stop $self->{dir}") }

# One SQL command in database postgres; returns (ok, output).
sub psql {
	my ($self, $sql) = @_;
	my $res = `psql -X -q -At -h $self->{dir} -p $self->{port} -U postgres -d postgres -v ON_ERROR_STOP=1 -c "$sql" 2>&1`;
	chomp $res;
	return ($? == 0, $res);
}

1;
