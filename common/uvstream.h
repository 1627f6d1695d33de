/*
 * The handle of a libuv stream connection, TCP or a unix socket, seen as a
 * handle (close), a stream (read, write) or its own type (init, connect).
 * Shared by the server's connections and the client's link; header only
 * (each user links libuv itself).
 */
#ifndef CLUBCRM_UVSTREAM_H
#define CLUBCRM_UVSTREAM_H

#include <uv.h>

union uvstream {
	uv_handle_t handle;
	uv_stream_t stream;
	uv_tcp_t tcp;
	uv_pipe_t pipe;
};

#endif
