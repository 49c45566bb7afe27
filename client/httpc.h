/*
 * client/httpc.h — the small HTTP client behind the ntactl commands that
 * ask a relay's HTTP API (docs/API.md): URL building, the bearer token,
 * one bounded GET with libcurl.
 *
 * The token never appears in a message, a URL or a log line: it is read
 * into sodium_malloc'd memory, handed to libcurl as a bearer credential
 * (which libcurl does not send to another host) and zeroed when freed.
 * Redirects are not followed; only http and https are spoken.
 */
#ifndef NTARELAY_CLIENT_HTTPC_H
#define NTARELAY_CLIENT_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define HTTPC_RELAY_DEFAULT "http://127.0.0.1:8053"
#define HTTPC_TOKEN_ENV "NTARELAY_TOKEN"
#define HTTPC_TOKEN_MAX 1024                  /* bytes, after trimming */
#define HTTPC_BODY_MAX (16 * 1024 * 1024)     /* response bodies */
#define HTTPC_CONNECT_TIMEOUT 5               /* seconds */
#define HTTPC_TIMEOUT 30                      /* seconds, whole request */
#define HTTPC_ERR_MAX 512

/* One query parameter; a NULL value leaves it out. Both borrowed. */
struct httpc_param {
	const char *name;
	const char *value;
};

/*
 * base ("http://HOST:PORT" or "https://HOST/PREFIX", trailing slashes
 * ignored) + path ("/v1/events") + "?" + the parameters, names and values
 * percent-encoded (RFC 3986 unreserved characters kept). A base with a
 * query, a fragment or credentials ("user:pass@") is refused. Returns a new
 * string (caller frees), or NULL with err filled.
 */
char *httpc_build_url(const char *base, const char *path,
    const struct httpc_param *params, size_t nparams, char *err, size_t errlen);

/*
 * The bearer token: the first line of token_file when it is not NULL (the
 * file must not be readable by others), else $NTARELAY_TOKEN, else none.
 * Surrounding whitespace is trimmed; the token must be 1..HTTPC_TOKEN_MAX
 * visible ASCII characters. Returns 0 with *token new (httpc_token_free)
 * or NULL when there is none, or -1 with err filled (never the token).
 */
int httpc_token_load(const char *token_file, char **token, char *err,
    size_t errlen);

/* Zero and free a token from httpc_token_load(); NULL allowed. */
void httpc_token_free(char *token);

struct httpc_response {
	long status;          /* HTTP status code */
	char *body;           /* NUL-terminated; new (httpc_response_free) */
	size_t len;           /* bytes in body, without the NUL */
};

/*
 * GET url with "Authorization: Bearer token" when token is not NULL
 * (borrowed). Connects within HTTPC_CONNECT_TIMEOUT s, finishes within
 * HTTPC_TIMEOUT s, refuses bodies over HTTPC_BODY_MAX. Returns 0 when the
 * server answered (whatever the status), or -1 with err filled when it
 * could not be asked (connection, TLS, timeout, size).
 */
int httpc_get(const char *url, const char *token, struct httpc_response *r,
    char *err, size_t errlen);

/*
 * The general form: method NULL (GET, or POST when body is given),
 * unix_path a unix socket to connect to instead of the URL's host (the
 * relay's control socket; the URL is then http://localhost/PATH), body
 * (bodylen bytes, sent as application/json) or NULL.
 */
int httpc_request(const char *method, const char *url, const char *unix_path,
    const char *token, const char *body, size_t bodylen,
    struct httpc_response *r, char *err, size_t errlen);

/* Free r's body; r itself is the caller's. NULL allowed. */
void httpc_response_free(struct httpc_response *r);

/*
 * What an error response says, for a person: "short_name: message" from
 * the API's JSON error body, else the body's first line, else the status.
 */
void httpc_error_text(const struct httpc_response *r, char *out, size_t len);

/*
 * Does r say that the relay has not caught up with its peers yet
 * ("syncing": true in its JSON body: a 503 from /healthz, /v1/zones and
 * /v1/zones/{zone}, docs/API.md §8)? Whatever its status: a decision list
 * from a relay that says so is never acted on.
 */
bool httpc_syncing(const struct httpc_response *r);

/*
 * What the commands share: load the token, build the URL, GET it and
 * report problems on stderr as "ntactl: CMD: ...". Returns 0 (CLI_OK) with
 * r filled on HTTP 200, 1 (CLI_NO) after printing the server's error,
 * 2 (CLI_ERR) for a usage, token or connection problem.
 */
int httpc_api_get(const char *cmd, const char *relay, const char *path,
    const struct httpc_param *params, size_t nparams, const char *token_file,
    struct httpc_response *r);

/*
 * Print a relay's JSON answer r for command cmd: as received with as_json,
 * else through table(root). Returns CLI_OK, or CLI_ERR when the answer is
 * not a JSON object (or table's result).
 */
int httpc_show_json(const char *cmd, const struct httpc_response *r, bool as_json,
    int (*table)(const json_t *root));

#endif
