/*
 * proto/zone.c — domain name validation and normalisation.
 */
#include <string.h>

#include "proto/zone.h"

bool
zone_name_valid(const char *s, size_t len, const char **why)
{
	const char *dummy;
	size_t label = 0;

	if (why == NULL)
		why = &dummy;
	if (len == 0) {
		*why = "empty name";
		return false;
	}
	if (len == 1 && s[0] == '.')
		return true;
	if (len > ZONE_TEXT_MAX) {
		*why = "name longer than 255 octets in wire form";
		return false;
	}
	if (s[len - 1] != '.') {
		*why = "name must be absolute (end with '.')";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0) {
				*why = "empty label";
				return false;
			}
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_')) {
			*why = (c >= 'A' && c <= 'Z') ? "name must be lowercase" :
			    "label characters must be a-z 0-9 - _";
			return false;
		}
		if (++label > 63) {
			*why = "label longer than 63 octets";
			return false;
		}
	}
	return true;
}

int
zone_name_normalise(const char *in, char *out, const char **why)
{
	return zone_name_normalise_n(in, strlen(in), out, why);
}

int
zone_name_normalise_n(const char *in, size_t n, char *out, const char **why)
{
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	/* A C string would end at the NUL and name another zone: "a.%00b"
	 * must not answer for "a." */
	if (memchr(in, '\0', n) != NULL) {
		*why = "NUL byte in the name";
		return -1;
	}
	if (n == 0 || n > ZONE_TEXT_MAX) {
		*why = n ? "name longer than 255 octets in wire form" : "empty name";
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	if (out[n - 1] != '.') {
		if (n == ZONE_TEXT_MAX) {
			*why = "name longer than 255 octets in wire form";
			return -1;
		}
		out[n++] = '.';
	}
	out[n] = '\0';
	return zone_name_valid(out, n, why) ? 0 : -1;
}

bool
zone_name_in(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	if (strcmp(zone, ".") == 0)
		return true;
	if (n < z || strcmp(name + n - z, zone) != 0)
		return false;
	return n == z || name[n - z - 1] == '.';
}
