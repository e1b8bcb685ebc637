// The floor of this host without Node (issue 24): floor.ts's open model in C. Arrivals at a fixed
// rate, latency from each one's intended start, at most `max` keep-alive connections, all opened
// ahead, an arrival finding none idle dropped; the loop busy-polls epoll the whole run, so no
// timer, garbage collector or interpreter stands between a response and its timestamp. What is
// left is the loopback, the target and the VM's scheduling: the least any generator gets here.
// Percentiles are exact (every latency kept, sorted at the end), as the HDR histograms' are.
//
//   cc -O2 -o floor-c bench/self-noise/floor.c   (bench/run.sh builds it)
//   floor-c --url http://127.0.0.1:PORT/ --rate 20000 --duration 10 --max 400
//
// Prints floor.ts's JSON line: requests, durationSec, rps, p50Ms, p99Ms, maxMs, failures,
// droppedIterations, steadyP99Ms, steadyDropped (from 2 s into the run on). A connection closed
// or refused ends it with exit 1: against nginx there is none.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STEADY_AFTER_MS 2000.0
#define START_AFTER_MS 50.0

typedef struct {
  int fd;
  double intendedMs;
  size_t buffered;
  char buf[4096];
} Conn;

static double nowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void fail(const char *what) {
  perror(what);
  exit(1);
}

static int byValue(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/** The value at percentile p of n sorted values, as HdrHistogram ranks it (the ceil(p% of n)-th). */
static double at(const double *sorted, long n, double p) {
  if (n == 0) return 0;
  double exact = p / 100.0 * n;
  long rank = (long)exact;
  if (rank < exact) rank++;
  if (rank < 1) rank = 1;
  return sorted[rank - 1];
}

/** Bytes of a whole response in c->buf (head and content-length body), or 0 while more are due. */
static size_t responseLength(Conn *c) {
  c->buf[c->buffered] = '\0';
  char *end = strstr(c->buf, "\r\n\r\n");
  if (!end) return 0;
  long length = 0;
  for (char *line = strstr(c->buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n"))
    if (strncasecmp(line + 2, "content-length:", 15) == 0) length = strtol(line + 17, NULL, 10);
  size_t whole = (size_t)(end - c->buf) + 4 + (size_t)length;
  return c->buffered >= whole ? whole : 0;
}

int main(int argc, char **argv) {
  const char *url = NULL;
  double rate = 0, durationSec = 10;
  int max = 400;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--url") == 0) url = argv[i + 1];
    else if (strcmp(argv[i], "--rate") == 0) rate = atof(argv[i + 1]);
    else if (strcmp(argv[i], "--duration") == 0) durationSec = atof(argv[i + 1]);
    else if (strcmp(argv[i], "--max") == 0) max = atoi(argv[i + 1]);
  }
  char host[64], path[1024] = "/";
  int port = 0;
  if (!url || sscanf(url, "http://%63[0-9.]:%d%1023s", host, &port, path) < 2 || rate <= 0 || durationSec <= 0 || max <= 0) {
    fprintf(stderr, "usage: floor-c --url http://IPV4:PORT/PATH --rate R [--duration 10] [--max 400]\n");
    return 2;
  }
  char request[1200];
  int requestLength = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nhost: %s:%d\r\n\r\n", path, host, port);

  int ep = epoll_create1(0);
  Conn *conns = calloc((size_t)max, sizeof(Conn));
  int *idle = malloc(sizeof(int) * (size_t)max), idleCount = 0;
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &address.sin_addr) != 1) fail("address");
  for (int k = 0; k < max; k++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) fail("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)k};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) != 0) fail("epoll_ctl");
    conns[k].fd = fd;
    idle[idleCount++] = k;
  }

  long total = (long)(rate * durationSec + 0.5), next = 0, done = 0, dropped = 0, steadyDone = 0, steadyDropped = 0, failures = 0;
  double *latency = malloc(sizeof(double) * (size_t)total), *steady = malloc(sizeof(double) * (size_t)total);
  double intervalMs = 1000.0 / rate, startMs = nowMs() + START_AFTER_MS, steadyFromMs = startMs + STEADY_AFTER_MS, lastMs = startMs;
  struct epoll_event events[256];
  while (done + dropped < total) {
    double now = nowMs();
    for (; next < total && startMs + next * intervalMs <= now; next++) {
      double intended = startMs + next * intervalMs;
      if (idleCount == 0) {
        dropped++;
        if (intended >= steadyFromMs) steadyDropped++;
        continue;
      }
      Conn *c = &conns[idle[--idleCount]];
      c->intendedMs = intended;
      if (write(c->fd, request, (size_t)requestLength) != requestLength) fail("write");
    }
    int ready = epoll_wait(ep, events, 256, 0);
    for (int i = 0; i < ready; i++) {
      int k = (int)events[i].data.u32;
      Conn *c = &conns[k];
      ssize_t n = read(c->fd, c->buf + c->buffered, sizeof c->buf - 1 - c->buffered);
      if (n <= 0) fail(n == 0 ? "the target closed a connection" : "read");
      c->buffered += (size_t)n;
      size_t whole = responseLength(c);
      if (whole == 0) continue;
      if (whole != c->buffered) fail("bytes after the response");
      lastMs = nowMs();
      if (strncmp(c->buf, "HTTP/1.1 2", 10) != 0) {
        failures++;
        fprintf(stderr, "%.*s\n", (int)whole, c->buf);
      }
      double ms = lastMs - c->intendedMs;
      latency[done++] = ms;
      if (c->intendedMs >= steadyFromMs) steady[steadyDone++] = ms;
      c->buffered = 0;
      idle[idleCount++] = k;
    }
  }
  qsort(latency, (size_t)done, sizeof(double), byValue);
  qsort(steady, (size_t)steadyDone, sizeof(double), byValue);
  double seconds = (lastMs - startMs) / 1000.0;
  printf(
      "{\"requests\":%ld,\"durationSec\":%.3f,\"rps\":%.0f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"maxMs\":%.3f,\"failures\":%ld,"
      "\"droppedIterations\":%ld,\"steadyP99Ms\":%.3f,\"steadyDropped\":%ld}\n",
      done, seconds, done / seconds, at(latency, done, 50), at(latency, done, 99), done ? latency[done - 1] : 0, failures, dropped,
      at(steady, steadyDone, 99), steadyDropped);
  return 0;
}
