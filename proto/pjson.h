/*
 * proto/pjson.h — the strict JSON parser of protocol input.
 *
 * Envelopes and payloads arrive from the network at the rate the relay can
 * verify signatures, so parsing them must cost little beside Ed25519. This
 * parser makes one pass over the text into a flat array of nodes in
 * document order (no allocation per value), validates UTF-8, resolves
 * escapes into one string arena, and refuses what protocol v1 refuses
 * anyway: duplicate member names, NUL in strings, lone surrogates, more
 * than PJSON_DEPTH_MAX levels of nesting, more than PJSON_MEMBERS_MAX members
 * in one object (which also bounds the cost of the duplicate check).
 *
 * A document is read through node indexes; index 0 is the root. Strings are
 * NUL-terminated in the arena. Nothing here allocates after pjson_parse().
 */
#ifndef NTARELAY_PROTO_PJSON_H
#define NTARELAY_PROTO_PJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PJSON_DEPTH_MAX 16
#define PJSON_MEMBERS_MAX 128

enum pjson_type {
	PJSON_NULL, PJSON_FALSE, PJSON_TRUE, PJSON_INT, PJSON_REAL,
	PJSON_STRING, PJSON_ARRAY, PJSON_OBJECT
};

enum pjson_status {
	PJSON_OK = 0,
	PJSON_E_SYNTAX,     /* not JSON, or beyond a limit above */
	PJSON_E_DUPLICATE,  /* an object repeats a member name */
	PJSON_E_NOMEM,
};

struct pjson_node {
	uint8_t type;
	uint32_t end;   /* index one past this node's subtree */
	uint32_t count; /* containers: number of elements / members */
	uint32_t len;   /* strings: byte length */
	union {
		long long i;     /* PJSON_INT */
		uint32_t off;    /* PJSON_STRING: offset in the arena */
	} u;
};

struct pjson_doc {
	struct pjson_node *nodes;
	size_t nnodes, cap;
	char *strings;      /* arena of NUL-terminated strings */
	size_t slen, scap;
	char error[96];     /* what was wrong and where */
};

/* Parse buf (len bytes; need not be NUL-terminated) into doc, which must be
 * zeroed or previously used (its buffers are reused). Whitespace may
 * surround the value; nothing else may follow it. */
enum pjson_status pjson_parse(struct pjson_doc *doc, const char *buf, size_t len);

/* Free the buffers (not doc itself). */
void pjson_free(struct pjson_doc *doc);

static inline enum pjson_type
pjson_type(const struct pjson_doc *d, int v)
{
	return (enum pjson_type)d->nodes[v].type;
}

/* Member value of object obj, or -1. obj may be -1 (then -1). */
int pjson_get(const struct pjson_doc *d, int obj, const char *name);

/*
 * pjson_get() for a series of look-ups in one object: the scan starts at
 * *hint (0 at first) and *hint is left after the member found, so names
 * looked up in the order the object lists them are found in one step each.
 */
int pjson_get_after(const struct pjson_doc *d, int obj, const char *name,
    int *hint);

/* String value (NUL-terminated) or NULL when v is not a string or -1. */
const char *pjson_str(const struct pjson_doc *d, int v);
size_t pjson_strlen(const struct pjson_doc *d, int v);
/* Integer value, 0 when not an integer. */
long long pjson_int(const struct pjson_doc *d, int v);

/* Elements and members: first child and the next sibling, -1 at the end.
 * For an object, pjson_first()/pjson_next() walk its keys; the value of a
 * key k is k + 1. */
int pjson_first(const struct pjson_doc *d, int container);
int pjson_next(const struct pjson_doc *d, int container, int child);
static inline uint32_t
pjson_count(const struct pjson_doc *d, int v)
{
	return v < 0 ? 0 : d->nodes[v].count;
}

#endif
