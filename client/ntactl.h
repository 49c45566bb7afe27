/*
 * client/ntactl.h — the table of ntactl subcommands. Each lives in its own
 * client/cmd_<name>.c and takes (argc, argv) with argv[0] = the subcommand.
 */
#ifndef NTARELAY_CLIENT_NTACTL_H
#define NTARELAY_CLIENT_NTACTL_H

int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_id(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_peers(int argc, char **argv);
int cmd_observe(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_vouch(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_assess(int argc, char **argv);
int cmd_statement(int argc, char **argv);
int cmd_withdraw(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_quorum(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_equivocation(int argc, char **argv);
int cmd_broker(int argc, char **argv);
int cmd_incident(int argc, char **argv);

int cmd_nta(int argc, char **argv);

#endif
