#include "clubzone.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILE (256 * 1024)  /* the biggest tzdata file is ~10 KiB */
#define MAX_TRANS 20000
#define MAX_TYPES 256
#define MAX_OFFSET (26 * 3600)
#define DAY 86400
/* Civil dates handled: years 1 to 9999 either side of the conversion. */
#define MIN_T INT64_C(-62135596800)   /* 0001-01-01 */
#define MAX_T INT64_C(253402300799)   /* 9999-12-31 23:59:59 */

struct ztype {
	int32_t utoff;
	bool isdst;
	uint8_t abbr;  /* index into abbrs */
};

/* A POSIX-TZ date rule: Jn, n or Mm.w.d, and the local time of day. */
struct zrule {
	char kind;     /* 'J', 'D' (zero-based day) or 'M' */
	int day, week, mon;
	int32_t secs;
};

struct zfooter {
	bool present;
	bool has_dst;
	struct ztype std, dst;
	struct zrule start, end;
	char std_abbr[16], dst_abbr[16];
};

struct clubzone {
	char name[CLUBZONE_NAME_MAX + 1];
	size_t n_trans, n_types;
	int64_t *trans;
	uint8_t *trans_type;
	struct ztype types[MAX_TYPES];
	char *abbrs;   /* NUL-terminated strings, indexed by ztype.abbr */
	size_t n_abbrs;
	struct zfooter footer;
	struct clubzone *next;  /* in the cache */
};

/* ---- civil calendar (proleptic Gregorian), after H. Hinnant ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int clubzone_month_days(int64_t y, int m)
{
	if (m < 1 || m > 12)
		return 0;
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : days[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ---- the POSIX-TZ footer ---- */

/* A name: letters (3 or more), or <...> of letters, digits, + and -. */
static const char *parse_abbr(const char *p, char *out, size_t size)
{
	size_t n = 0;
	if (*p == '<') {
		p++;
		while (*p && *p != '>') {
			if (!(('A' <= *p && *p <= 'Z') || ('a' <= *p && *p <= 'z') ||
			      ('0' <= *p && *p <= '9') || *p == '+' || *p == '-'))
				return NULL;
			if (n + 1 >= size)
				return NULL;
			out[n++] = *p++;
		}
		if (*p != '>')
			return NULL;
		p++;
	} else {
		while (('A' <= *p && *p <= 'Z') || ('a' <= *p && *p <= 'z')) {
			if (n + 1 >= size)
				return NULL;
			out[n++] = *p++;
		}
	}
	if (n < 3)
		return NULL;
	out[n] = '\0';
	return p;
}

static const char *parse_num(const char *p, int min, int max, int *out)
{
	if (*p < '0' || *p > '9')
		return NULL;
	int v = 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		if (v > max)
			return NULL;
	}
	if (v < min)
		return NULL;
	*out = v;
	return p;
}

/* [+-]hh[:mm[:ss]], hours up to max_h; the seconds it means. */
static const char *parse_hms(const char *p, int max_h, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!(p = parse_num(p, 0, max_h, &h)))
		return NULL;
	if (*p == ':') {
		if (!(p = parse_num(p + 1, 0, 59, &m)))
			return NULL;
		if (*p == ':' && !(p = parse_num(p + 1, 0, 59, &s)))
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *parse_rule(const char *p, struct zrule *r)
{
	if (*p == 'J') {
		r->kind = 'J';
		p = parse_num(p + 1, 1, 365, &r->day);
	} else if (*p == 'M') {
		r->kind = 'M';
		if ((p = parse_num(p + 1, 1, 12, &r->mon)) && *p == '.' &&
		    (p = parse_num(p + 1, 1, 5, &r->week)) && *p == '.')
			p = parse_num(p + 1, 0, 6, &r->day);
		else
			p = NULL;
	} else {
		r->kind = 'D';
		p = parse_num(p, 0, 365, &r->day);
	}
	if (!p)
		return NULL;
	r->secs = 2 * 3600;
	if (*p == '/')
		p = parse_hms(p + 1, 167, &r->secs);
	return p;
}

/* "CET-1CEST,M3.5.0,M10.5.0/3" and its relatives (RFC 8536 3.3). */
static int parse_footer(const char *s, struct zfooter *f)
{
	memset(f, 0, sizeof(*f));
	if (!*s)
		return 0;  /* no rule: the last transition's type goes on */
	const char *p = parse_abbr(s, f->std_abbr, sizeof(f->std_abbr));
	int32_t off;
	if (!p || !(p = parse_hms(p, 24, &off)))
		return -EBADMSG;
	f->present = true;
	f->std.utoff = -off;  /* POSIX counts west of Greenwich */
	if (!*p)
		return 0;
	if (!(p = parse_abbr(p, f->dst_abbr, sizeof(f->dst_abbr))))
		return -EBADMSG;
	f->has_dst = true;
	f->dst.isdst = true;
	f->dst.utoff = f->std.utoff + 3600;
	if (*p && *p != ',') {
		if (!(p = parse_hms(p, 24, &off)))
			return -EBADMSG;
		f->dst.utoff = -off;
	}
	/* A TZif footer with summer time always gives its rules. */
	if (*p != ',' || !(p = parse_rule(p + 1, &f->start)) || *p != ',' ||
	    !(p = parse_rule(p + 1, &f->end)) || *p)
		return -EBADMSG;
	return 0;
}

/* The day of year 0-365 a rule falls on in year y. */
static int rule_yday(const struct zrule *r, int64_t y)
{
	if (r->kind == 'J')
		return r->day - 1 + (leap(y) && r->day >= 60);
	if (r->kind == 'D')
		return r->day < 365 || leap(y) ? r->day : 364;
	int64_t first = days_from_civil(y, r->mon, 1);
	int wday1 = (int)((first % 7 + 11) % 7);  /* 1970-01-01 was a Thursday */
	int mday = 1 + (r->day - wday1 + 7) % 7 + (r->week - 1) * 7;
	while (mday > clubzone_month_days(y, r->mon))
		mday -= 7;
	return (int)(days_from_civil(y, r->mon, mday) - days_from_civil(y, 1, 1));
}

/* The instant a rule's change happens in year y, `before` in force. */
static int64_t rule_instant(const struct zrule *r, int64_t y, int32_t before)
{
	return (days_from_civil(y, 1, 1) + rule_yday(r, y)) * DAY + r->secs -
	       before;
}

static const struct ztype *footer_type(const struct zfooter *f, int64_t t)
{
	if (!f->has_dst)
		return &f->std;
	int64_t y;
	int m, d;
	civil_from_days(floor_div(t + f->std.utoff, DAY), &y, &m, &d);
	int64_t start = rule_instant(&f->start, y, f->std.utoff);
	int64_t end = rule_instant(&f->end, y, f->dst.utoff);
	bool dst = start < end ? t >= start && t < end : !(t >= end && t < start);
	return dst ? &f->dst : &f->std;
}

/* ---- TZif ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzhead {
	char version;
	size_t isut, isstd, leap, time, type, chars;
};

static int read_head(const uint8_t *p, size_t len, struct tzhead *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -EBADMSG;
	h->version = (char)p[4];
	if (h->version != 0 && (h->version < '2' || h->version > '4'))
		return -EBADMSG;
	h->isut = be32(p + 20);
	h->isstd = be32(p + 24);
	h->leap = be32(p + 28);
	h->time = be32(p + 32);
	h->type = be32(p + 36);
	h->chars = be32(p + 40);
	if (h->time > MAX_TRANS || h->type == 0 || h->type > MAX_TYPES ||
	    h->chars == 0 || h->chars > 1024 || h->leap > 1000 ||
	    (h->isut && h->isut != h->type) || (h->isstd && h->isstd != h->type))
		return -EBADMSG;
	return 0;
}

static size_t block_size(const struct tzhead *h, size_t tsize)
{
	return h->time * tsize + h->time + h->type * 6 + h->chars +
	       h->leap * (tsize + 4) + h->isstd + h->isut;
}

static void zone_free_parts(struct clubzone *z)
{
	free(z->trans);
	free(z->trans_type);
	free(z->abbrs);
}

/* The data block after header h at p (tsize: 4 or 8 byte times). */
static int read_block(struct clubzone *z, const struct tzhead *h,
		      const uint8_t *p, size_t tsize)
{
	if (h->leap)
		return -EBADMSG;  /* "right/" zones count leap seconds */
	z->n_trans = h->time;
	z->n_types = h->type;
	z->trans = calloc(h->time ? h->time : 1, sizeof(*z->trans));
	z->trans_type = calloc(h->time ? h->time : 1, 1);
	z->abbrs = calloc(h->chars + 1, 1);
	if (!z->trans || !z->trans_type || !z->abbrs)
		return -ENOMEM;
	for (size_t i = 0; i < h->time; i++) {
		const uint8_t *q = p + i * tsize;
		z->trans[i] = tsize == 8 ? be64(q) : (int32_t)be32(q);
		if (i && z->trans[i] <= z->trans[i - 1])
			return -EBADMSG;
		if (z->trans[i] < MIN_T || z->trans[i] > MAX_T)
			return -EBADMSG;
	}
	p += h->time * tsize;
	for (size_t i = 0; i < h->time; i++) {
		if (p[i] >= h->type)
			return -EBADMSG;
		z->trans_type[i] = p[i];
	}
	p += h->time;
	for (size_t i = 0; i < h->type; i++, p += 6) {
		int32_t off = (int32_t)be32(p);
		if (off < -MAX_OFFSET || off > MAX_OFFSET || p[4] > 1 ||
		    p[5] >= h->chars)
			return -EBADMSG;
		z->types[i].utoff = off;
		z->types[i].isdst = p[4];
		z->types[i].abbr = p[5];
	}
	memcpy(z->abbrs, p, h->chars);
	z->abbrs[h->chars] = '\0';
	z->n_abbrs = h->chars;
	return 0;
}

int clubzone_parse(const char *name, const uint8_t *data, size_t len,
		   struct clubzone **out)
{
	if (!name || strlen(name) > CLUBZONE_NAME_MAX || !data)
		return -EINVAL;
	struct tzhead h;
	int rc = read_head(data, len, &h);
	if (rc)
		return rc;
	size_t v1 = block_size(&h, 4);
	if (len - 44 < v1)
		return -EBADMSG;
	struct clubzone *z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	snprintf(z->name, sizeof(z->name), "%s", name);
	const char *footer = "";
	char fbuf[128];
	if (h.version == 0) {
		rc = read_block(z, &h, data + 44, 4);
	} else {
		const uint8_t *p = data + 44 + v1;
		size_t left = len - 44 - v1;
		struct tzhead h2;
		size_t v2;
		if ((rc = read_head(p, left, &h2)) == 0 &&
		    (left - 44 < (v2 = block_size(&h2, 8)) ||
		     h2.version != h.version))
			rc = -EBADMSG;
		if (!rc)
			rc = read_block(z, &h2, p + 44, 8);
		if (!rc) {
			/* "\n" footer "\n" ends the file */
			const uint8_t *f = p + 44 + v2;
			size_t flen = left - 44 - v2;
			const uint8_t *nl = flen > 1 ? memchr(f + 1, '\n', flen - 1)
						      : NULL;
			size_t n = nl ? (size_t)(nl - f - 1) : 0;
			if (flen < 2 || f[0] != '\n' || !nl ||
			    n >= sizeof(fbuf) || memchr(f + 1, '\0', n))
				rc = -EBADMSG;
			else {
				memcpy(fbuf, f + 1, n);
				fbuf[n] = '\0';
				footer = fbuf;
			}
		}
	}
	if (!rc)
		rc = parse_footer(footer, &z->footer);
	if (rc) {
		zone_free_parts(z);
		free(z);
		return rc;
	}
	*out = z;
	return 0;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > CLUBZONE_NAME_MAX || name[0] == '/' ||
	    name[n - 1] == '/' || strncmp(name, "right/", 6) == 0)
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (!(('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') ||
		      ('0' <= c && c <= '9') || c == '/' || c == '_' ||
		      c == '-' || c == '+'))
			return false;
		if (c == '/' && p[1] == '/')
			return false;
	}
	return true;  /* no '.' at all: no "..", no "zone.tab" */
}

/* UTC needs no file: one type, no transitions, no footer. */
static int utc_copy(struct clubzone **out)
{
	struct clubzone *z = calloc(1, sizeof(*z));
	char *abbrs = malloc(4);
	if (!z || !abbrs) {
		free(z);
		free(abbrs);
		return -ENOMEM;
	}
	memcpy(abbrs, "UTC", 4);
	snprintf(z->name, sizeof(z->name), "UTC");
	z->n_types = 1;
	z->abbrs = abbrs;
	z->n_abbrs = 4;
	*out = z;
	return 0;
}

int clubzone_load(const char *name, struct clubzone **out)
{
	return clubzone_load_dir(CLUBZONE_DIR, name, out);
}

int clubzone_load_dir(const char *dir, const char *name,
		      struct clubzone **out)
{
	if (!name || !name_ok(name) || !dir)
		return -EINVAL;
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && strcmp(name, "UTC") == 0)
		return utc_copy(out);  /* a system without tzdata */
	if (fd < 0)
		return errno == ENOMEM ? -ENOMEM : -ENOENT;
	uint8_t *buf = malloc(MAX_FILE);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	size_t len = 0;
	int rc = 0;
	while (len < MAX_FILE) {
		ssize_t r = read(fd, buf + len, MAX_FILE - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = errno == EISDIR ? -ENOENT : -EBADMSG;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (!rc)
		rc = len >= MAX_FILE ? -EBADMSG : clubzone_parse(name, buf, len, out);
	free(buf);
	return rc;
}

void clubzone_free(struct clubzone *z)
{
	if (!z)
		return;
	zone_free_parts(z);
	free(z);
}

const char *clubzone_name(const struct clubzone *z)
{
	return z->name;
}

const char *clubzone_strerror(int err)
{
	switch (err) {
	case -EINVAL:
		return "is not a time-zone name (IANA names look like "
		       "Europe/Madrid)";
	case -ENOENT:
		return "is not a time zone this system's tzdata knows (names "
		       "are case-sensitive, e.g. Europe/Madrid)";
	case -EBADMSG:
		return "has an unreadable tzdata file";
	case -ENOMEM:
		return "could not be loaded: out of memory";
	default:
		return "could not be loaded";
	}
}

/* ---- conversions ---- */

static const struct ztype *type_at(const struct clubzone *z, int64_t t)
{
	size_t n = z->n_trans;
	if (n == 0 || t < z->trans[0]) {
		if (n == 0 && z->footer.present)
			return footer_type(&z->footer, t);
		return &z->types[0];
	}
	if (t >= z->trans[n - 1] && z->footer.present)
		return footer_type(&z->footer, t);
	size_t lo = 0, hi = n;  /* trans[lo] <= t < trans[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return &z->types[z->trans_type[lo]];
}

static const char *type_abbr(const struct clubzone *z, const struct ztype *ty)
{
	if (ty == &z->footer.std)
		return z->footer.std_abbr;
	if (ty == &z->footer.dst)
		return z->footer.dst_abbr;
	return z->abbrs + ty->abbr;
}

int clubzone_to_local(const struct clubzone *z, int64_t t,
		      struct clubzone_tm *out)
{
	if (t < MIN_T + MAX_OFFSET || t > MAX_T - MAX_OFFSET)
		return -ERANGE;
	const struct ztype *ty = type_at(z, t);
	int64_t local = t + ty->utoff;
	int64_t days = floor_div(local, DAY);
	int64_t secs = local - days * DAY;
	int64_t y;
	civil_from_days(days, &y, &out->mon, &out->mday);
	out->year = (int)y;
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->sec = (int)(secs % 60);
	out->wday = (int)((days % 7 + 11) % 7);
	out->yday = (int)(days - days_from_civil(y, 1, 1));
	out->utoff = ty->utoff;
	out->isdst = ty->isdst;
	out->abbr = type_abbr(z, ty);
	return 0;
}

/*
 * The instant of local seconds `wall` (days_from_civil * DAY + time of day).
 * A valid instant t has wall - t as the offset in force at t; the offsets
 * that may be are those in force a day either side (zones do not change
 * twice within two days). None valid: a gap; two: the earlier wins.
 */
static int from_wall(const struct clubzone *z, int64_t wall, int64_t *out)
{
	if (wall < MIN_T + 2 * DAY || wall > MAX_T - 2 * DAY)
		return -EINVAL;
	int32_t offs[3] = {
		type_at(z, wall - DAY)->utoff,
		type_at(z, wall)->utoff,
		type_at(z, wall + DAY)->utoff,
	};
	bool found = false;
	int64_t best = 0;
	for (int i = 0; i < 3; i++) {
		int64_t t = wall - offs[i];
		if (type_at(z, t)->utoff == offs[i] && (!found || t < best)) {
			best = t;
			found = true;
		}
	}
	if (found) {
		*out = best;
		return 0;
	}
	*out = wall - offs[0];  /* the offset before the jump */
	return -EDOM;
}

int clubzone_from_local(const struct clubzone *z, int year, int mon, int mday,
			int hour, int min, int sec, int64_t *out)
{
	if (year < 1 || year > 9999 || mon < 1 || mon > 12 || mday < 1 ||
	    mday > clubzone_month_days(year, mon) || hour < 0 || hour > 23 ||
	    min < 0 || min > 59 || sec < 0 || sec > 59)
		return -EINVAL;
	int64_t wall = days_from_civil(year, mon, mday) * DAY + hour * 3600 +
		       min * 60 + sec;
	return from_wall(z, wall, out);
}

int64_t clubzone_day_start(const struct clubzone *z, int64_t t, int days)
{
	struct clubzone_tm lt;
	if (clubzone_to_local(z, t, &lt))
		return t;
	int64_t wall = (days_from_civil(lt.year, lt.mon, lt.mday) + days) * DAY;
	int64_t start;
	int rc = from_wall(z, wall, &start);
	return rc == 0 || rc == -EDOM ? start : t;
}

int clubzone_day_at(const struct clubzone *z, int64_t t, int days,
		    int minute, int64_t *out)
{
	struct clubzone_tm lt;
	if (minute < 0 || minute >= 24 * 60)
		return -EINVAL;
	int rc = clubzone_to_local(z, t, &lt);
	if (rc)
		return rc;
	int64_t wall = (days_from_civil(lt.year, lt.mon, lt.mday) + days) * DAY +
		       minute * 60;
	rc = from_wall(z, wall, out);
	return rc == -EDOM ? 0 : rc;
}

size_t clubzone_format(const struct clubzone *z, int64_t t, const char *fmt,
		       char *out, size_t size)
{
	struct clubzone_tm lt;
	if (size == 0 || clubzone_to_local(z, t, &lt))
		return 0;
	struct tm tm = {
		.tm_year = lt.year - 1900, .tm_mon = lt.mon - 1,
		.tm_mday = lt.mday, .tm_hour = lt.hour, .tm_min = lt.min,
		.tm_sec = lt.sec, .tm_wday = lt.wday, .tm_yday = lt.yday,
		.tm_isdst = lt.isdst, .tm_gmtoff = lt.utoff,
		.tm_zone = lt.abbr,
	};
	size_t n = strftime(out, size, fmt, &tm);
	if (n == 0)
		out[0] = '\0';
	return n;
}

size_t clubzone_format_rfc3339(const struct clubzone *z, int64_t t, char *out,
			       size_t size)
{
	struct clubzone_tm lt;
	if (size == 0 || clubzone_to_local(z, t, &lt))
		return 0;
	int32_t off = lt.utoff < 0 ? -lt.utoff : lt.utoff;
	int n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
			 lt.year, lt.mon, lt.mday, lt.hour, lt.min, lt.sec,
			 lt.utoff < 0 ? '-' : '+', (int)(off / 3600),
			 (int)(off / 60 % 60));
	if (n < 0 || (size_t)n >= size) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

/* ---- the process's zones ---- */

static struct clubzone utc_zone = {
	.name = "UTC",
	.n_types = 1,
	.types = {{.utoff = 0, .isdst = false, .abbr = 0}},
	.abbrs = (char *)"UTC",
	.n_abbrs = 4,
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct clubzone *cache;
static _Atomic(const struct clubzone *) current;

const struct clubzone *clubzone_utc(void)
{
	return &utc_zone;
}

const struct clubzone *clubzone_get(const char *name, int *err)
{
	int rc = 0;
	const struct clubzone *found = NULL;
	pthread_mutex_lock(&cache_lock);
	for (struct clubzone *z = cache; name && z; z = z->next)
		if (strcmp(z->name, name) == 0)
			found = z;
	if (!found) {
		struct clubzone *z = NULL;
		rc = clubzone_load(name, &z);
		if (!rc) {
			z->next = cache;
			cache = z;
			found = z;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	if (err)
		*err = rc;
	return found;
}

int clubzone_use(const char *name)
{
	int rc;
	const struct clubzone *z = clubzone_get(name, &rc);
	if (z)
		atomic_store(&current, z);
	return rc;
}

const struct clubzone *clubzone_current(void)
{
	const struct clubzone *z = atomic_load(&current);
	return z ? z : &utc_zone;
}

void clubzone_cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	atomic_store(&current, NULL);
	while (cache) {
		struct clubzone *next = cache->next;
		clubzone_free(cache);
		cache = next;
	}
	pthread_mutex_unlock(&cache_lock);
}
