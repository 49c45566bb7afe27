/*
 * proto/pjson.c — one-pass strict JSON parser (see the header).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pjson.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct parser {
	struct pjson_doc *d;
	const unsigned char *p, *end, *start;
	int depth;
};

static enum pjson_status
fail(struct parser *ps, const char *what)
{
	snprintf(ps->d->error, sizeof(ps->d->error), "%s at offset %zu", what,
	    (size_t)(ps->p - ps->start));
	return PJSON_E_SYNTAX;
}

static void
skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' ||
	    *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

static int
new_node(struct parser *ps, enum pjson_type t)
{
	struct pjson_doc *d = ps->d;

	if (d->nnodes == d->cap) {
		size_t ncap = d->cap ? 2 * d->cap : 64;
		struct pjson_node *n = realloc(d->nodes, ncap * sizeof(*n));
		if (n == NULL)
			return -1;
		d->nodes = n;
		d->cap = ncap;
	}
	memset(&d->nodes[d->nnodes], 0, sizeof(d->nodes[0]));
	d->nodes[d->nnodes].type = (uint8_t)t;
	return (int)d->nnodes++;
}

static int
hex4(const unsigned char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i], x;
		if (c >= '0' && c <= '9')
			x = c - '0';
		else if (c >= 'a' && c <= 'f')
			x = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			x = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | x;
	}
	return v;
}

static void
put_utf8(char **o, unsigned cp)
{
	unsigned char *u = (unsigned char *)*o;

	if (cp < 0x80)
		*u++ = (unsigned char)cp;
	else if (cp < 0x800) {
		*u++ = (unsigned char)(0xc0 | cp >> 6);
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*u++ = (unsigned char)(0xe0 | cp >> 12);
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*u++ = (unsigned char)(0xf0 | cp >> 18);
		*u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*o = (char *)u;
}

/* Length of the valid UTF-8 sequence at p (2-4), or 0. */
static int
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];

	if (c >= 0xc2 && c <= 0xdf)
		return (end - p >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (end - p < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (end - p < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && p[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

/* Bytes copied as they are: printable ASCII except '"' and '\\'. */
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,
};

/* Long (about 105 lines) on purpose: the string scanner is one state
 * machine (plain runs, escapes, \u surrogate pairs, UTF-8 validation);
 * its bounds checks read best in one place, and it is the parser's hot
 * path. */
static enum pjson_status
parse_string(struct parser *ps, int *out)
{
	struct pjson_doc *d = ps->d;
	char *o, *begin;
	int n;

	if ((n = new_node(ps, PJSON_STRING)) < 0)
		return PJSON_E_NOMEM;
	ps->p++; /* opening quote */
	begin = o = d->strings + d->slen;
	for (;;) {
		unsigned c;
		if (ps->p >= ps->end)
			return fail(ps, "unterminated string");
		/* the common case: a run of plain bytes */
		if (plain[*ps->p]) {
			const unsigned char *r = ps->p;
#ifdef __SSE2__
			/* 16 bytes at a time: stop at '"', '\\', a control
			 * character or any byte >= 0x80 (negative as signed) */
			const __m128i quote = _mm_set1_epi8('"');
			const __m128i bslash = _mm_set1_epi8('\\');
			const __m128i space = _mm_set1_epi8(0x20);
			while (ps->end - r >= 16) {
				__m128i v = _mm_loadu_si128((const __m128i *)r);
				__m128i bad = _mm_or_si128(_mm_or_si128(
				    _mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
				    _mm_cmplt_epi8(v, space));
				if (_mm_movemask_epi8(bad) != 0)
					break;
				r += 16;
			}
#endif
			while (r < ps->end && plain[*r])
				r++;
			memcpy(o, ps->p, (size_t)(r - ps->p));
			o += r - ps->p;
			ps->p = r;
			continue;
		}
		c = *ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20)
			return fail(ps, "control character in string");
		if (c < 0x80 && c != '\\') {
			*o++ = (char)c;
			ps->p++;
			continue;
		}
		if (c >= 0x80) {
			int k = utf8_seq(ps->p, ps->end);
			if (k == 0)
				return fail(ps, "invalid UTF-8 in string");
			memcpy(o, ps->p, (size_t)k);
			o += k;
			ps->p += k;
			continue;
		}
		/* escape */
		if (ps->end - ps->p < 2)
			return fail(ps, "unterminated escape");
		c = ps->p[1];
		ps->p += 2;
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			int cp, lo;
			if (ps->end - ps->p < 4 || (cp = hex4(ps->p)) < 0)
				return fail(ps, "invalid \\u escape");
			ps->p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(ps, "lone low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 6 || ps->p[0] != '\\' ||
				    ps->p[1] != 'u' || (lo = hex4(ps->p + 2)) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return fail(ps, "lone high surrogate");
				ps->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (cp == 0)
				return fail(ps, "\\u0000 is not allowed");
			put_utf8(&o, (unsigned)cp);
			break;
		}
		default:
			return fail(ps, "invalid escape");
		}
	}
	*o++ = '\0';
	d->nodes[n].u.off = (uint32_t)(begin - d->strings);
	d->nodes[n].len = (uint32_t)(o - begin - 1);
	d->nodes[n].end = (uint32_t)n + 1;
	d->slen = (size_t)(o - d->strings);
	*out = n;
	return PJSON_OK;
}

static enum pjson_status
parse_number(struct parser *ps, int n)
{
	bool neg = false, real = false, big = false;
	unsigned long long v = 0;

	if (*ps->p == '-') {
		neg = true;
		ps->p++;
	}
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return fail(ps, "invalid number");
	if (*ps->p == '0') {
		ps->p++;
		if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			return fail(ps, "leading zero in number");
	} else {
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			unsigned dgt = (unsigned)(*ps->p - '0');
			/* too big for an integer; it may still be a real
			 * (a fraction or an exponent may follow) */
			if (big || v > (9223372036854775808ULL - dgt) / 10)
				big = true;
			else
				v = v * 10 + dgt;
			ps->p++;
		}
	}
	if (ps->p < ps->end && *ps->p == '.') {
		real = true;
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "invalid fraction");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		real = true;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "invalid exponent");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (real) {
		ps->d->nodes[n].type = PJSON_REAL;
		return PJSON_OK;
	}
	if (big || (!neg && v > 9223372036854775807ULL))
		return fail(ps, "integer too big");
	ps->d->nodes[n].type = PJSON_INT;
	ps->d->nodes[n].u.i = neg ? (long long)(0 - v) : (long long)v;
	return PJSON_OK;
}

static enum pjson_status parse_value(struct parser *ps);

static bool
literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static enum pjson_status
parse_container(struct parser *ps, bool object)
{
	struct pjson_doc *d = ps->d;
	int keys[PJSON_MEMBERS_MAX];
	uint32_t count = 0;
	enum pjson_status st;
	int n;

	if (++ps->depth > PJSON_DEPTH_MAX)
		return fail(ps, "nesting too deep");
	if ((n = new_node(ps, object ? PJSON_OBJECT : PJSON_ARRAY)) < 0)
		return PJSON_E_NOMEM;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
		ps->p++;
		goto done;
	}
	for (;;) {
		skip_ws(ps);
		if (object) {
			int k;
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a member name");
			if (count == PJSON_MEMBERS_MAX)
				return fail(ps, "too many members in one object");
			if ((st = parse_string(ps, &k)) != PJSON_OK)
				return st;
			for (uint32_t i = 0; i < count; i++) {
				const struct pjson_node *a = &d->nodes[keys[i]], *b = &d->nodes[k];
				if (a->len == b->len && memcmp(d->strings + a->u.off,
				    d->strings + b->u.off, a->len) == 0) {
					snprintf(d->error, sizeof(d->error),
					    "duplicate member '%.32s' at offset %zu",
					    d->strings + b->u.off, (size_t)(ps->p - ps->start));
					return PJSON_E_DUPLICATE;
				}
			}
			keys[count] = k;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
			skip_ws(ps);
		}
		if ((st = parse_value(ps)) != PJSON_OK)
			return st;
		count++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
			ps->p++;
			break;
		}
		return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
done:
	d->nodes[n].count = count;
	d->nodes[n].end = (uint32_t)d->nnodes;
	ps->depth--;
	return PJSON_OK;
}

static enum pjson_status
parse_value(struct parser *ps)
{
	int n;

	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	switch (*ps->p) {
	case '{':
		return parse_container(ps, true);
	case '[':
		return parse_container(ps, false);
	case '"':
		return parse_string(ps, &n);
	case 't':
	case 'f':
	case 'n':
		if ((n = new_node(ps, PJSON_NULL)) < 0)
			return PJSON_E_NOMEM;
		ps->d->nodes[n].end = (uint32_t)n + 1;
		if (literal(ps, "true"))
			ps->d->nodes[n].type = PJSON_TRUE;
		else if (literal(ps, "false"))
			ps->d->nodes[n].type = PJSON_FALSE;
		else if (!literal(ps, "null"))
			return fail(ps, "invalid literal");
		return PJSON_OK;
	default:
		if ((n = new_node(ps, PJSON_INT)) < 0)
			return PJSON_E_NOMEM;
		ps->d->nodes[n].end = (uint32_t)n + 1;
		return parse_number(ps, n);
	}
}

enum pjson_status
pjson_parse(struct pjson_doc *d, const char *buf, size_t len)
{
	struct parser ps = { d, (const unsigned char *)buf,
	    (const unsigned char *)buf + len, (const unsigned char *)buf, 0 };
	enum pjson_status st;

	d->nnodes = 0;
	d->slen = 0;
	d->error[0] = '\0';
	/* A protocol payload has about one value per 12 bytes: size the node
	 * array once instead of growing it. */
	if (d->cap < len / 12 + 16) {
		struct pjson_node *nn = realloc(d->nodes, (len / 12 + 16) * sizeof(*nn));
		if (nn == NULL)
			return PJSON_E_NOMEM;
		d->nodes = nn;
		d->cap = len / 12 + 16;
	}
	/* Decoded strings plus their NULs never exceed the input length. */
	if (d->scap < len + 1) {
		char *s = realloc(d->strings, len + 1);
		if (s == NULL)
			return PJSON_E_NOMEM;
		d->strings = s;
		d->scap = len + 1;
	}
	if ((st = parse_value(&ps)) != PJSON_OK) {
		if (st == PJSON_E_NOMEM)
			snprintf(d->error, sizeof(d->error), "out of memory");
		d->nnodes = 0;
		return st;
	}
	skip_ws(&ps);
	if (ps.p != ps.end) {
		d->nnodes = 0;
		return fail(&ps, "end of input expected");
	}
	return PJSON_OK;
}

void
pjson_free(struct pjson_doc *d)
{
	if (d == NULL)
		return;
	free(d->nodes);
	free(d->strings);
	d->nodes = NULL;
	d->strings = NULL;
	d->nnodes = d->cap = d->slen = d->scap = 0;
}

int
pjson_first(const struct pjson_doc *d, int c)
{
	if (c < 0 || (d->nodes[c].type != PJSON_OBJECT &&
	    d->nodes[c].type != PJSON_ARRAY) || d->nodes[c].count == 0)
		return -1;
	return c + 1;
}

int
pjson_next(const struct pjson_doc *d, int c, int child)
{
	uint32_t next;

	if (d->nodes[c].type == PJSON_OBJECT)
		next = d->nodes[child + 1].end; /* skip the key's value */
	else
		next = d->nodes[child].end;
	return next < d->nodes[c].end ? (int)next : -1;
}

int
pjson_get(const struct pjson_doc *d, int obj, const char *name)
{
	size_t n;

	if (obj < 0 || d->nodes[obj].type != PJSON_OBJECT)
		return -1;
	n = strlen(name);
	for (int k = pjson_first(d, obj); k >= 0; k = pjson_next(d, obj, k))
		if (d->nodes[k].len == n &&
		    memcmp(d->strings + d->nodes[k].u.off, name, n) == 0)
			return k + 1;
	return -1;
}

int
pjson_get_after(const struct pjson_doc *d, int obj, const char *name, int *hint)
{
	size_t n;
	int start, k;

	if (obj < 0 || d->nodes[obj].type != PJSON_OBJECT || d->nodes[obj].count == 0)
		return -1;
	n = strlen(name);
	start = (*hint > obj && (uint32_t)*hint < d->nodes[obj].end) ? *hint :
	    pjson_first(d, obj);
	k = start;
	do {
		if (d->nodes[k].len == n &&
		    memcmp(d->strings + d->nodes[k].u.off, name, n) == 0) {
			int next = pjson_next(d, obj, k);
			*hint = next >= 0 ? next : pjson_first(d, obj);
			return k + 1;
		}
		if ((k = pjson_next(d, obj, k)) < 0)
			k = pjson_first(d, obj);
	} while (k != start);
	return -1;
}

const char *
pjson_str(const struct pjson_doc *d, int v)
{
	if (v < 0 || d->nodes[v].type != PJSON_STRING)
		return NULL;
	return d->strings + d->nodes[v].u.off;
}

size_t
pjson_strlen(const struct pjson_doc *d, int v)
{
	if (v < 0 || d->nodes[v].type != PJSON_STRING)
		return 0;
	return d->nodes[v].len;
}

long long
pjson_int(const struct pjson_doc *d, int v)
{
	if (v < 0 || d->nodes[v].type != PJSON_INT)
		return 0;
	return d->nodes[v].u.i;
}
