/*
 * client/httpc.c — a bounded HTTP GET for ntactl, with libcurl.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "client/cli.h"
#include "client/httpc.h"
#include "lib/buf.h"

#ifdef PACKAGE_VERSION
#define HTTPC_USER_AGENT "ntactl/" PACKAGE_VERSION
#else
#define HTTPC_USER_AGENT "ntactl"
#endif

/* ---------------------------------------------------------------- URL */


/* RFC 3986 2.3: unreserved characters are never encoded. */
static void
httpc_str_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char pct[3];

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			buf_add(b, s, 1);
			continue;
		}
		pct[0] = '%';
		pct[1] = hex[c >> 4];
		pct[2] = hex[c & 15];
		buf_add(b, pct, 3);
	}
}

char *
httpc_build_url(const char *base, const char *path,
    const struct httpc_param *params, size_t nparams, char *err, size_t errlen)
{
	struct buf b = { 0 };
	const char *host, *end;
	size_t n, i;
	bool first = true;

	if (strncasecmp(base, "http://", 7) == 0)
		host = base + 7;
	else if (strncasecmp(base, "https://", 8) == 0)
		host = base + 8;
	else {
		snprintf(err, errlen, "relay URL must start with http:// or "
		    "https://");
		return NULL;
	}
	end = host + strcspn(host, "/");
	if (end == host) {
		snprintf(err, errlen, "relay URL has no host");
		return NULL;
	}
	if (memchr(host, '@', (size_t)(end - host)) != NULL) {
		/* Never echo it: it would be a password. */
		snprintf(err, errlen, "relay URL must not hold credentials (use "
		    "--token-file or $%s)", HTTPC_TOKEN_ENV);
		return NULL;
	}
	if (strpbrk(base, "?# \t\r\n") != NULL) {
		snprintf(err, errlen, "relay URL must not hold a query, a fragment "
		    "or spaces");
		return NULL;
	}
	for (n = strlen(base); n > 0 && base[n - 1] == '/'; n--)
		;
	buf_add(&b, base, n);
	if (path[0] != '/')
		buf_add(&b, "/", 1);
	buf_add(&b, path, strlen(path));
	for (i = 0; i < nparams; i++) {
		if (params[i].value == NULL)
			continue;
		buf_add(&b, first ? "?" : "&", 1);
		first = false;
		httpc_str_encode(&b, params[i].name);
		buf_add(&b, "=", 1);
		httpc_str_encode(&b, params[i].value);
	}
	if (b.failed || b.data == NULL) {
		free(b.data);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return b.data;
}

/* ---------------------------------------------------------------- token */

/* Trim src (len bytes) and copy it into new secure memory; 0 or -1. */
static int
httpc_token_set(const char *src, size_t len, const char *where, char **token,
    char *err, size_t errlen)
{
	size_t i;
	char *t;

	while (len > 0 && (src[len - 1] == '\n' || src[len - 1] == '\r' ||
	    src[len - 1] == ' ' || src[len - 1] == '\t'))
		len--;
	while (len > 0 && (src[0] == ' ' || src[0] == '\t')) {
		src++;
		len--;
	}
	if (len == 0) {
		snprintf(err, errlen, "%s: the token is empty", where);
		return -1;
	}
	if (len > HTTPC_TOKEN_MAX) {
		snprintf(err, errlen, "%s: the token is longer than %d bytes",
		    where, HTTPC_TOKEN_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (src[i] < 0x21 || src[i] > 0x7e) {
			snprintf(err, errlen, "%s: the token must be one line of "
			    "visible ASCII characters", where);
			return -1;
		}
	if ((t = sodium_malloc(len + 1)) == NULL) {
		snprintf(err, errlen, "out of secure memory");
		return -1;
	}
	memcpy(t, src, len);
	t[len] = '\0';
	*token = t;
	return 0;
}

int
httpc_token_load(const char *token_file, char **token, char *err,
    size_t errlen)
{
	char buf[HTTPC_TOKEN_MAX + 64];
	const char *env;
	struct stat st;
	size_t len = 0;
	ssize_t r;
	int fd, rc = -1;

	*token = NULL;
	if (token_file == NULL) {
		env = getenv(HTTPC_TOKEN_ENV);
		if (env == NULL || env[0] == '\0')
			return 0;
		return httpc_token_set(env, strlen(env), "$" HTTPC_TOKEN_ENV,
		    token, err, errlen);
	}
	if ((fd = open(token_file, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", token_file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", token_file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", token_file);
		goto out;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "%s: readable or writable by others (mode "
		    "%03o); chmod o-rw it", token_file,
		    (unsigned)(st.st_mode & 0777));
		goto out;
	}
	while (len < sizeof(buf)) {
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", token_file, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len == sizeof(buf)) {
		snprintf(err, errlen, "%s: the token is longer than %d bytes",
		    token_file, HTTPC_TOKEN_MAX);
		goto out;
	}
	rc = httpc_token_set(buf, len, token_file, token, err, errlen);
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

void
httpc_token_free(char *token)
{
	sodium_free(token);   /* zeroes */
}

/* ---------------------------------------------------------------- GET */

struct httpc_sink {
	struct buf body;
	bool too_large;
};

static size_t
httpc_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct httpc_sink *k = userdata;
	size_t n = size * nmemb;

	if (k->body.len + n > HTTPC_BODY_MAX) {
		k->too_large = true;
		return 0;   /* aborts the transfer */
	}
	buf_add(&k->body, ptr, n);
	return k->body.failed ? 0 : n;
}

/* Every option of one request on c (headers into *hs, the caller's to
 * free). 0, or -1 when libcurl refuses one. */
static int
httpc_setup(CURL *c, const char *method, const char *url,
    const char *unix_path, const char *token, const char *body,
    size_t bodylen, struct curl_slist **hs, char *cerr, struct httpc_sink *k)
{
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
#else
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	        (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK ||
#endif
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)HTTPC_CONNECT_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)HTTPC_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	        (curl_off_t)HTTPC_BODY_MAX) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, HTTPC_USER_AGENT) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, httpc_write) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, k) != CURLE_OK ||
	    (token != NULL &&
	    (curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, token) != CURLE_OK)) ||
	    (unix_path != NULL &&
	    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, unix_path) != CURLE_OK) ||
	    (body != NULL &&
	    (curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	        (curl_off_t)bodylen) != CURLE_OK ||
	    (*hs = curl_slist_append(*hs, "Content-Type: application/json")) == NULL ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hs) != CURLE_OK)) ||
	    (method != NULL &&
	    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK))
		return -1;
	return 0;
}

int
httpc_request(const char *method, const char *url, const char *unix_path,
    const char *token, const char *body, size_t bodylen,
    struct httpc_response *r, char *err, size_t errlen)
{
	struct curl_slist *hs = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	struct httpc_sink k = { { 0 }, false };
	CURLcode cc;
	CURL *c = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "libcurl failed to initialise");
		return -1;
	}
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "libcurl failed to initialise");
		goto out;
	}
	if (httpc_setup(c, method, url, unix_path, token, body, bodylen, &hs,
	    cerr, &k) != 0) {
		snprintf(err, errlen, "libcurl refused an option (URL too long or "
		    "malformed?)");
		goto out;
	}
	cc = curl_easy_perform(c);
	if (k.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "the answer is larger than %d MiB",
		    HTTPC_BODY_MAX / (1024 * 1024));
		goto out;
	}
	if (k.body.failed) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (k.body.data == NULL)
		buf_add(&k.body, "", 0);
	if (k.body.failed) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r->body = k.body.data;
	r->len = k.body.len;
	k.body.data = NULL;
	rc = 0;
out:
	free(k.body.data);
	curl_slist_free_all(hs);
	if (c)
		curl_easy_cleanup(c);
	curl_global_cleanup();
	return rc;
}

int
httpc_get(const char *url, const char *token, struct httpc_response *r,
    char *err, size_t errlen)
{
	return httpc_request(NULL, url, NULL, token, NULL, 0, r, err, errlen);
}

void
httpc_response_free(struct httpc_response *r)
{
	if (r == NULL)
		return;
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

/* Copy s into out with control characters replaced: server text goes to a
 * terminal. */
static void
httpc_printable(const char *s, size_t n, char *out, size_t len)
{
	size_t i;

	if (len == 0)
		return;
	for (i = 0; i < n && i + 1 < len && s[i] && s[i] != '\n'; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
}

void
httpc_error_text(const struct httpc_response *r, char *out, size_t len)
{
	const char *name, *msg;
	json_t *j = NULL;
	char a[64], b[256];

	if (r->body && r->len > 0)
		j = json_loadb(r->body, r->len, 0, NULL);
	name = json_string_value(json_object_get(j, "error"));
	msg = json_string_value(json_object_get(j, "message"));
	if (name && msg) {
		httpc_printable(name, strlen(name), a, sizeof(a));
		httpc_printable(msg, strlen(msg), b, sizeof(b));
		snprintf(out, len, "%s: %s", a, b);
	} else if (r->body && r->len > 0) {
		httpc_printable(r->body, r->len, b, sizeof(b));
		snprintf(out, len, "HTTP %ld: %s", r->status, b);
	} else
		snprintf(out, len, "HTTP %ld", r->status);
	json_decref(j);
}

bool
httpc_syncing(const struct httpc_response *r)
{
	json_t *j;
	bool syncing;

	if (r->body == NULL || r->len == 0 ||
	    (j = json_loadb(r->body, r->len, 0, NULL)) == NULL)
		return false;
	syncing = json_is_true(json_object_get(j, "syncing"));
	json_decref(j);
	return syncing;
}

int
httpc_api_get(const char *cmd, const char *relay, const char *path,
    const struct httpc_param *params, size_t nparams, const char *token_file,
    struct httpc_response *r)
{
	char err[HTTPC_ERR_MAX], text[HTTPC_ERR_MAX];
	char *url = NULL, *token = NULL;
	int rc = CLI_ERR;

	memset(r, 0, sizeof(*r));
	if ((url = httpc_build_url(relay, path, params, nparams, err,
	    sizeof(err))) == NULL) {
		cli_err("%s: %s", cmd, err);
		goto out;
	}
	if (httpc_token_load(token_file, &token, err, sizeof(err)) != 0) {
		cli_err("%s: %s", cmd, err);
		goto out;
	}
	if (httpc_get(url, token, r, err, sizeof(err)) != 0) {
		cli_err("%s: %s: %s", cmd, url, err);
		goto out;
	}
	if (r->status != 200) {
		httpc_error_text(r, text, sizeof(text));
		cli_err("%s: the relay answered %ld: %s", cmd, r->status, text);
		if (r->status == 401)
			cli_err("%s: give the relay's token with --token-file FILE "
			    "or $%s", cmd, HTTPC_TOKEN_ENV);
		httpc_response_free(r);
		rc = CLI_NO;
		goto out;
	}
	rc = CLI_OK;
out:
	httpc_token_free(token);
	free(url);
	return rc;
}

int
httpc_show_json(const char *cmd, const struct httpc_response *r, bool as_json,
    int (*table)(const json_t *root))
{
	json_t *root = json_loadb(r->body, r->len, 0, NULL);
	int rc;

	if (root == NULL || !json_is_object(root)) {
		cli_err("%s: the relay's answer is not a JSON object", cmd);
		json_decref(root);
		return CLI_ERR;
	}
	if (as_json) {
		fwrite(r->body, 1, r->len, stdout);
		if (r->len == 0 || r->body[r->len - 1] != '\n')
			putchar('\n');
		rc = CLI_OK;
	} else
		rc = table(root);
	json_decref(root);
	return rc;
}
