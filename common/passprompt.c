#include "passprompt.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int passprompt_read(FILE *tty, const char *prompt, char *out, size_t size)
{
	if (!tty || !out || size < 2 || size > INT32_MAX)
		return -EINVAL;
	int fd = fileno(tty);
	struct termios old, quiet;
	if (!isatty(fd) || tcgetattr(fd, &old) < 0)
		return -ENOTTY;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	fputs(prompt, tty);
	fflush(tty);
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0)
		return -EIO;
	int ret = -EIO;
	if (fgets(out, (int)size, tty)) {
		size_t n = strcspn(out, "\r\n");
		if (out[n] || feof(tty)) {
			out[n] = '\0';
			ret = 0;
		} else {
			/* Longer than `out`: drop the rest of the line. */
			int c;
			while ((c = getc(tty)) != EOF && c != '\n')
				;
			ret = -EMSGSIZE;
		}
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	if (ret)
		explicit_bzero(out, size);
	return ret;
}

int passprompt_ask(const char *prompt, char *out, size_t size)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return -ENOTTY;
	int ret = passprompt_read(tty, prompt, out, size);
	fclose(tty);
	return ret;
}
