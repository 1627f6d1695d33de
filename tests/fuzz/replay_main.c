/*
 * A main() for the fuzz harnesses outside libFuzzer: runs
 * LLVMFuzzerTestOneInput once on every file of the directories (or files)
 * given. The normal and sanitizer builds link each harness with it and
 * ctest replays the seed corpora (fuzz.replay_*), so a harness that no
 * longer compiles, or an input that once crashed, fails the ordinary suite
 * and not only CI's clang fuzzing step.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *p = realloc(data, cap);
			if (!p) {
				free(data);
				fclose(f);
				return -1;
			}
			data = p;
		}
		size_t n = fread(data + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int run_path(const char *path, unsigned *runs)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*runs)++;
		return run_file(path);
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && rc == 0) {
			char full[4096];
			snprintf(full, sizeof(full), "%s/%s", path,
				 names[i]->d_name);
			rc = run_path(full, runs);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	unsigned runs = 0;
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &runs) < 0)
			return 1;
	if (runs == 0) {
		fprintf(stderr, "%s: no input to replay\n", argv[0]);
		return 1;
	}
	printf("%s: %u inputs replayed\n", argv[0], runs);
	return 0;
}
