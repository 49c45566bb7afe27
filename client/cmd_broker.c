#include "client/cli.h"
#include "client/ntactl.h"
int cmd_broker(int argc, char **argv) { (void)argc; (void)argv; return CLI_ERR; }
