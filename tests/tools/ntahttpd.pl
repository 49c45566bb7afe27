#!/usr/bin/perl
# tests/tools/ntahttpd.pl — a one-file HTTP server for integration tests
# (perl is on every target; python3 is not). It stands in for a relay's
# HTTP API where a test needs an exact answer.
#
#   perl ntahttpd.pl PORT DIR
#
# Listens on 127.0.0.1:PORT. Every request is answered, read at that moment,
# with the file DIR/body (404 when it is missing) and the status in
# DIR/status (default 200), as application/json, Connection: close. Each
# request is appended to DIR/requests as "METHOD PATH auth=AUTHORIZATION"
# ("auth=-" when there is none). A test changes the answer by replacing
# DIR/body (write a temporary file, then mv).
use strict;
use warnings;
use IO::Socket::INET;

my ($port, $dir) = @ARGV;
die "usage: ntahttpd.pl PORT DIR\n" unless $port && $dir && -d $dir;
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
    Proto => 'tcp', Listen => 16, ReuseAddr => 1) or die "listen: $!\n";
$SIG{TERM} = $SIG{INT} = sub { exit 0 };
$SIG{PIPE} = 'IGNORE';

sub slurp {
	my ($f) = @_;
	open(my $fh, '<', $f) or return undef;
	binmode $fh;
	local $/;
	my $d = <$fh>;
	close $fh;
	return $d;
}

while (my $c = $srv->accept) {
	my ($req, %h) = ('');
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm 5;
		$req = <$c> // '';
		while (my $l = <$c>) {
			$l =~ s/\r?\n$//;
			last if $l eq '';
			$h{lc $1} = $2 if $l =~ /^([^:]+):\s*(.*)$/;
		}
		alarm 0;
	};
	$req =~ s/\r?\n$//;
	my ($method, $path) = split / /, $req;
	if (open(my $log, '>>', "$dir/requests")) {
		printf $log "%s %s auth=%s\n", $method // '-', $path // '-',
		    $h{authorization} // '-';
		close $log;
	}
	my $body = slurp("$dir/body");
	my $status = slurp("$dir/status") // '200';
	$status =~ s/\s+//g;
	if (!defined $body) {
		$status = 404;
		$body = '{"error":"not_found","message":"no such resource"}';
	}
	print $c "HTTP/1.1 $status X\r\nContent-Type: application/json\r\n" .
	    "Content-Length: " . length($body) . "\r\nConnection: close\r\n\r\n" .
	    $body;
	close $c;
}
