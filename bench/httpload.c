/*
 * bench/httpload.c — a small closed-loop HTTP load generator for the
 * benchmarks: C connections (keep-alive, libcurl multi), each sending its
 * next GET as soon as the previous answer arrived, for D seconds, over a
 * list of URLs taken in turn. Prints "requests N seconds S rps R errors
 * E p50_us P p99_us Q" on one line.
 *
 *   httpload [-c CONNECTIONS] [-d SECONDS] [-H "Header: value"] URL...
 *
 * Any status but 200 counts as an error. Not a test: a tool beside
 * bench/bench_quorum.sh, which runs it against the relay and against the
 * trivial handler (bench/httpd_trivial) in the same run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define CONN_MAX 256
#define SAMPLES_MAX 2000000

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int conns = 8, secs = 5, o, running;
	struct curl_slist *hs = NULL;
	CURL *e[CONN_MAX];
	double start[CONN_MAX], t0, end, *lat;
	long long done = 0, errors = 0, next = 0;
	CURLM *m;
	char **urls;
	int nurls;

	while ((o = getopt(argc, argv, "c:d:H:")) != -1) {
		switch (o) {
		case 'c': conns = atoi(optarg); break;
		case 'd': secs = atoi(optarg); break;
		case 'H': hs = curl_slist_append(hs, optarg); break;
		default:
			fprintf(stderr, "usage: httpload [-c N] [-d S] [-H HDR] URL...\n");
			return 2;
		}
	}
	if (optind >= argc || conns < 1 || conns > CONN_MAX || secs < 1) {
		fprintf(stderr, "usage: httpload [-c N] [-d S] [-H HDR] URL...\n");
		return 2;
	}
	urls = argv + optind;
	nurls = argc - optind;
	if ((lat = malloc(SAMPLES_MAX * sizeof(*lat))) == NULL)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	t0 = now_s();
	end = t0 + secs;
	for (int i = 0; i < conns; i++) {
		e[i] = curl_easy_init();
		curl_easy_setopt(e[i], CURLOPT_URL, urls[next++ % nurls]);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, hs);
		curl_easy_setopt(e[i], CURLOPT_PRIVATE, (void *)(long)i);
		start[i] = now_s();
		curl_multi_add_handle(m, e[i]);
	}
	do {
		CURLMsg *msg;
		int left;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			long code = 0, idx;
			char *priv;
			double t;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			idx = (long)priv;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
			t = now_s();
			if (msg->data.result != CURLE_OK || code != 200)
				errors++;
			else if (done < SAMPLES_MAX)
				lat[done] = t - start[idx];
			done++;
			curl_multi_remove_handle(m, msg->easy_handle);
			if (t < end) {
				curl_easy_setopt(msg->easy_handle, CURLOPT_URL,
				    urls[next++ % nurls]);
				start[idx] = now_s();
				curl_multi_add_handle(m, msg->easy_handle);
			}
		}
		if (now_s() >= end && running == 0)
			break;
		curl_multi_poll(m, NULL, 0, 100, NULL);
	} while (running > 0 || now_s() < end);
	{
		double el = now_s() - t0;
		long long ok = done - errors < SAMPLES_MAX ? done - errors : SAMPLES_MAX;

		qsort(lat, (size_t)ok, sizeof(*lat), cmp_d);
		printf("requests %lld seconds %.2f rps %.0f errors %lld p50_us %.0f "
		    "p99_us %.0f\n", done, el, (double)done / el, errors,
		    ok ? lat[ok / 2] * 1e6 : 0.0, ok ? lat[(ok * 99) / 100] * 1e6 : 0.0);
	}
	for (int i = 0; i < conns; i++)
		curl_easy_cleanup(e[i]);
	curl_multi_cleanup(m);
	curl_slist_free_all(hs);
	free(lat);
	return errors ? 1 : 0;
}
