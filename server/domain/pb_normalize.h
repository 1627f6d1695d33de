/* Normalising protobuf-c messages before they are stored. */
#ifndef CLUBCRM_PB_NORMALIZE_H
#define CLUBCRM_PB_NORMALIZE_H

#include <protobuf-c/protobuf-c.h>

/*
 * Sets the has_ flag of every optional scalar field (outside oneofs) to
 * whether its value is non-zero, in `m` and in its sub-messages, so stored
 * records carry exactly the fields that mean something.
 */
void pb_normalize(ProtobufCMessage *m);

#endif
