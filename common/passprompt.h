/*
 * Asking a person for a secret on the terminal, with echo off: the
 * command line's login and clubcrmd's admin password at init. The prompt
 * and the newline the person types go to the terminal, never to stdout or
 * stderr, and the terminal's settings are put back before returning.
 */
#ifndef CLUBCRM_PASSPROMPT_H
#define CLUBCRM_PASSPROMPT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Opens the controlling terminal (/dev/tty) and asks there, as
 * passprompt_read(). -ENOTTY when the process has none.
 */
int passprompt_ask(const char *prompt, char *out, size_t size);

/*
 * Writes `prompt` to the terminal `tty` (read and write) and reads one
 * line into `out` (at most size - 1 bytes, without its line end) with echo
 * off. 0; -ENOTTY when `tty` is not a terminal; -EMSGSIZE when the line
 * does not fit (the rest of it is read and dropped, `out` is wiped); -EIO
 * when reading failed or met the end of input.
 */
int passprompt_read(FILE *tty, const char *prompt, char *out, size_t size);

#endif
